/** The request log tests count calls with (method, path, api-version, principal, status, duration). */
export type LogProvider = 'security' | 'network' | 'compute' | 'resources' | 'identity' | 'oidc' | 'ip';

export interface RequestLogEntry {
  /** Virtual-clock time the request arrived. */
  time: Date;
  method: string;
  path: string;
  apiVersion?: string;
  principal?: string;
  /** HTTP status, or 0 when the connection was reset or the request hung until stop. */
  status: number;
  durationMs: number;
  provider: LogProvider;
  write: boolean;
}

export interface RequestLog {
  add(entry: RequestLogEntry): void;
  entries(): RequestLogEntry[];
  clear(): void;
}

export function createRequestLog(print: boolean): RequestLog {
  let entries: RequestLogEntry[] = [];
  return {
    add(entry) {
      entries.push(entry);
      if (print) {
        console.log(
          `${entry.time.toISOString()} ${entry.method} ${entry.path} ${entry.status} ${entry.durationMs}ms ${entry.provider}${entry.principal ? ` ${entry.principal}` : ''}`,
        );
      }
    },
    entries: () => entries.map((e) => ({ ...e })),
    clear() {
      entries = [];
    },
  };
}
