/**
 * What a valid name is for each kind of target. Names end up as path segments of control-plane
 * calls, so a name the control plane could never have created (`.`, `..`, upper case, a leading dot)
 * is refused at the API with a 400 that says which rule it breaks, before anything is planned.
 * Kubernetes objects follow Kubernetes' own rules (DNS-1123 subdomain for most kinds, DNS-1123 label
 * for namespaces and containers, DNS-1035 label for services); Hexabase ids (applications,
 * functions, alerts) are letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit.
 */

interface NameRule {
  what: string;
  ok(name: string): boolean;
}

/** Only `chars` (a character class), starting and ending with a lower-case letter or digit (or any letter, with `anyCase`), 1 to `max` long. */
function shaped(name: string, chars: RegExp, max: number, anyCase = false): boolean {
  const edge = anyCase ? /[A-Za-z0-9]/ : /[a-z0-9]/;
  return name.length >= 1 && name.length <= max && chars.test(name) && edge.test(name[0]!) && edge.test(name[name.length - 1]!);
}
const LABEL_CHARS = /^[-a-z0-9]+$/;
const isLabel = (name: string) => shaped(name, LABEL_CHARS, 63);

export const DNS1123_LABEL: NameRule = {
  what: 'a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
  ok: isLabel,
};

const DNS1123_SUBDOMAIN: NameRule = {
  what: 'a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, at most 253 characters)',
  ok: (name) => name.length <= 253 && name.split('.').every((part) => shaped(part, LABEL_CHARS, 253)),
};

const DNS1035: NameRule = {
  what: 'a DNS-1035 label (lower-case letters, digits and "-", starting with a letter and ending with a letter or digit, at most 63 characters)',
  ok: (name) => isLabel(name) && /[a-z]/.test(name[0]!),
};

export const HEXABASE_ID: NameRule = {
  what: 'an id (letters, digits, ".", "_" and "-", starting and ending with a letter or digit, at most 253 characters)',
  ok: (name) => shaped(name, /^[A-Za-z0-9._-]+$/, 253, true),
};

/** Kinds whose names are not DNS-1123 subdomains (Kubernetes' rule for most objects, the default). */
const RULES: Readonly<Record<string, NameRule>> = {
  namespace: DNS1123_LABEL,
  container: DNS1123_LABEL,
  service: DNS1035,
  application: HEXABASE_ID,
  function: HEXABASE_ID,
  alert: HEXABASE_ID,
};

/** Why `name` cannot be the name of a `kind` (undefined: it can). */
export function nameProblem(kind: string, name: string): string | undefined {
  const rule = Object.hasOwn(RULES, kind) ? RULES[kind]! : DNS1123_SUBDOMAIN;
  return rule.ok(name) ? undefined : `${kind} name ${JSON.stringify(name.slice(0, 80))} is not valid: it must be ${rule.what}`;
}

/** Why `value` cannot be a Hexabase id given in `parameters.<key>` (undefined: it can). */
export function idProblem(key: string, value: unknown): string | undefined {
  return typeof value === 'string' && HEXABASE_ID.ok(value) ? undefined : `parameters.${key} must be ${HEXABASE_ID.what}`;
}
