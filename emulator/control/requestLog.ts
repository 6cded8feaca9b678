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
  /** Called with every entry as it is added (the concurrent writer watches reads this way). */
  onAdd(listener: (entry: RequestLogEntry) => void): void;
}

export function createRequestLog(print: boolean): RequestLog {
  let entries: RequestLogEntry[] = [];
  const listeners: ((entry: RequestLogEntry) => void)[] = [];
  return {
    add(entry) {
      entries.push(entry);
      for (const listener of listeners) listener({ ...entry });
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
    onAdd(listener) {
      listeners.push(listener);
    },
  };
}
