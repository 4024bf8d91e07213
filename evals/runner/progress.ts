/**
 * Progress on stderr: a bar redrawn in place on a terminal, one line per finished case otherwise
 * (CI logs, pipes), so stdout stays free for the summary line.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CaseProgress {
  caseId: string;
  repetition: number;
  status: 'passed' | 'failed' | 'errored';
  latencyMs: number;
  fatal: boolean;
}

export interface Progress {
  start(caseId: string): void;
  done(p: CaseProgress): void;
  finish(): void;
}

const MARK = { passed: 'pass', failed: 'FAIL', errored: 'ERROR' } as const;

export function createProgress(total: number, stream: ProgressStream): Progress {
  let finished = 0;
  let passed = 0;
  const width = 24;
  const bar = (label: string) => {
    const filled = total === 0 ? width : Math.round((finished / total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${total} passed ${passed} ${label}`;
    const max = Math.max(20, (stream.columns || 100) - 1); // 0 when the terminal does not say
    stream.write(`\r\x1b[2K${line.length > max ? line.slice(0, max) : line}`);
  };
  return {
    start(caseId) {
      if (stream.isTTY) bar(caseId);
    },
    done(p) {
      finished += 1;
      if (p.status === 'passed') passed += 1;
      const line = `[${finished}/${total}] ${p.caseId}${p.repetition > 1 ? ` #${p.repetition}` : ''} ${MARK[p.status]}${p.fatal ? ' (SAFETY)' : ''} ${Math.round(p.latencyMs)} ms`;
      if (stream.isTTY) {
        // Failures stay visible above the bar; passes only move it.
        if (p.status !== 'passed') stream.write(`\r\x1b[2K${line}\n`);
        bar(p.caseId);
      } else {
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
