/**
 * Kubernetes resource units: rounding recommendations up to tidy millicore / MiB multiples and
 * formatting them the way a manifest would (`250m`, `816Mi`, `1.5Gi`).
 */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Rounds cores up to a multiple of `granularityMillicores` (float noise below 1e-9 m is ignored). */
export function roundUpCores(cores: number, granularityMillicores: number): number {
  const units = Math.ceil((cores * 1000) / granularityMillicores - 1e-9);
  return (units * granularityMillicores) / 1000;
}

/** Rounds bytes up to a multiple of `granularityMiB` MiB. */
export function roundUpBytes(bytes: number, granularityMiB: number): number {
  const unit = granularityMiB * MiB;
  return Math.ceil(bytes / unit - 1e-9) * unit;
}

/** `0.25` → `250m`, `2` → `2`, rounding to whole millicores. */
export function formatCores(cores: number): string {
  const millicores = Math.round(cores * 1000);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Bytes as `Mi` below 1 GiB (or when not a tidy GiB value), otherwise `Gi`. */
export function formatBytes(bytes: number): string {
  if (bytes >= GiB && (bytes / GiB) * 100 === Math.round((bytes / GiB) * 100)) return `${+(bytes / GiB).toFixed(2)}Gi`;
  return `${Math.round(bytes / MiB)}Mi`;
}
