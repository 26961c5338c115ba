/**
 * A small JSON-lines logger with pino's call shape (`log.info(obj?, msg)`), so Fastify can use it as its
 * loggerInstance and the worker logs the same way. Errors are serialised with their stack; cycles are cut.
 */
import type { LogLevel } from './config.js';

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export type LogFn = (objOrMsg: unknown, msg?: string, ...rest: unknown[]) => void;
export interface Logger {
  level: string;
  trace: LogFn; debug: LogFn; info: LogFn; warn: LogFn; error: LogFn; fatal: LogFn;
  silent: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

function safeJson(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_k, v: unknown) => {
    if (v instanceof Error) {
      const e = v as Error & { code?: unknown; reason?: unknown };
      return { type: e.name, message: e.message, code: e.code, reason: e.reason, stack: e.stack };
    }
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object') {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
      // Sockets, requests and other class instances are not log material.
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null && !Array.isArray(v)) return `[${(v as object).constructor?.name ?? 'object'}]`;
    }
    return v;
  });
}

export function createLogger(level: LogLevel, sink: LogSink = (l) => process.stderr.write(l), bindings: Record<string, unknown> = {}): Logger {
  const min = RANK[level];
  const make = (name: Exclude<LogLevel, 'silent'>): LogFn => {
    if (RANK[name] < min) return () => {};
    return (objOrMsg, msg) => {
      const fields = typeof objOrMsg === 'object' && objOrMsg !== null
        ? (objOrMsg instanceof Error ? { err: objOrMsg } : (objOrMsg as Record<string, unknown>))
        : {};
      const text = typeof objOrMsg === 'string' ? objOrMsg : msg;
      sink(`${safeJson({ level: name, time: Date.now(), ...bindings, ...fields, msg: text })}\n`);
    };
  };
  return {
    level,
    trace: make('trace'), debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error'), fatal: make('fatal'),
    silent: () => {},
    child: (more) => createLogger(level, sink, { ...bindings, ...more }),
  };
}
