// The only code that runs inside the sandbox child, besides the user's script.
// It imports nothing: the wire shapes are described in src/rpc/protocol.ts and
// every frame written here is parsed and validated by the host.
//
// Order matters: everything the prelude needs from the runtime is captured
// before the user's code runs, so a script that patches globals can only
// confuse itself, never forge the protocol (it does not know the nonce).

// deno-lint-ignore-file no-explicit-any

const writeSync = Deno.stdout.writeSync.bind(Deno.stdout);
const readSync = Deno.stdin.readSync.bind(Deno.stdin);
// Deno builds its timer functions on first access (~7 ms): they are taken
// from the original accessors only when the script first uses a timer.
const TIMER_NAMES = ["setTimeout", "setInterval", "clearTimeout", "clearInterval"] as const;
type TimerName = typeof TIMER_NAMES[number];
const timerDescriptors = new Map(TIMER_NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)!]));
let realTimerFns: Record<TimerName, (...args: any[]) => any> | undefined;

function realTimers(): Record<TimerName, (...args: any[]) => any> {
  if (realTimerFns) return realTimerFns;
  const fns = {} as Record<TimerName, (...args: any[]) => any>;
  for (const [name, d] of timerDescriptors) fns[name] = d.get ? d.get.call(globalThis) : d.value;
  return (realTimerFns = fns);
}
const now = performance.now.bind(performance);
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const decoder = new TextDecoder();
const decode = decoder.decode.bind(decoder);
const stringify = JSON.stringify;
const parse = JSON.parse;
const inspect = Deno.inspect;
const exit = Deno.exit;
// Prototype methods are patchable by the script; the ones that ever touch
// bytes holding the nonce are captured here and called uncurried.
const call = Function.prototype.call;
const uncurry = <A extends unknown[], R>(fn: (...args: A) => R) =>
  call.bind(fn) as unknown as (self: unknown, ...args: A) => R;
const U8 = Uint8Array;
const queueMicrotask = globalThis.queueMicrotask;
const u8IndexOf = uncurry(U8.prototype.indexOf);
const u8Slice = uncurry(U8.prototype.slice);
const u8Subarray = uncurry(U8.prototype.subarray);
const u8Set = uncurry(U8.prototype.set as (a: ArrayLike<number>, offset?: number) => void);
const u8Fill = uncurry(U8.prototype.fill as (v: number) => Uint8Array);
const u8Length = uncurry(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(U8.prototype), "length")!.get!) as (
  self: Uint8Array,
) => number;
const SCRIPT = "script.ts";
const WRAPPER = "export default async function () {";

let nonce = "";
let pending = new U8(0);

function send(frame: unknown): void {
  const bytes = encode(nonce + stringify(frame) + "\n");
  const length = u8Length(bytes);
  let offset = 0;
  while (offset < length) offset += writeSync(u8Subarray(bytes, offset));
}

const chunk = new U8(65536);

// Replies are read with blocking reads: Deno's async stdin read costs a
// thread hop per line (~70 µs), a blocking read ~15 µs. The child only reads
// while tool calls are pending, and never blocks past its next timer: it
// asks the host to wake it then (see `drain`).
function readLine(): string | null {
  while (true) {
    const nl = u8IndexOf(pending, 10);
    if (nl >= 0) {
      const line = decode(u8Subarray(pending, 0, nl));
      pending = u8Slice(pending, nl + 1);
      return line;
    }
    const n = readSync(chunk);
    if (n === null) return null;
    const had = u8Length(pending);
    if (had === 0) {
      pending = u8Slice(chunk, 0, n);
      continue;
    }
    const next = new U8(had + n);
    u8Set(next, pending);
    u8Set(next, u8Subarray(chunk, 0, n), had);
    pending = next;
  }
}

// Stack frames point into the data: URL; rewrite them to `script.ts:line:col`
// of the user's own code and drop the prelude's frames (they name host paths).
const DATA_LOCATION = /data:application\/typescript;base64,[A-Za-z0-9+/=.]*:(\d+):(\d+)/g;

function userLocation(_m: string, line: string, col: string): string {
  const l = Number(line);
  const c = l === 1 ? Math.max(1, Number(col) - WRAPPER.length) : Number(col);
  return `${SCRIPT}:${l}:${c}`;
}

function cleanStack(stack: string): string {
  return stack.replace(DATA_LOCATION, userLocation).split("\n")
    .filter((l) => !/^\s+at /.test(l) || l.includes(SCRIPT))
    .join("\n");
}

function describeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) {
    return {
      name: "Error",
      message: `Uncaught ${inspect(e, { colors: false })}`,
    };
  }
  let message = String(e.message).replace(DATA_LOCATION, userLocation);
  let name = String(e.name);
  // A syntax error in the script surfaces as a TypeError wrapping it.
  if (name === "TypeError" && message.startsWith("SyntaxError: ")) {
    name = "SyntaxError";
    message = message.slice("SyntaxError: ".length);
  }
  const stack = cleanStack(String(e.stack ?? ""));
  const at = /script\.ts:(\d+):(\d+)/.exec(stack) ??
    /script\.ts:(\d+):(\d+)/.exec(message);
  return {
    name,
    message,
    stack,
    ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}),
  };
}

// Console capture: every console method becomes a `log` notification.
let maxLogLineBytes = 16384;

function format(args: unknown[]): string {
  const text = args.map((a) => typeof a === "string" ? a : inspect(a, { colors: false, depth: 6 })).join(" ");
  return text.length > maxLogLineBytes
    ? text.slice(0, maxLogLineBytes) +
      `… [truncated ${text.length - maxLogLineBytes} chars]`
    : text;
}

function logger(level: string): (...args: unknown[]) => void {
  return (...args) =>
    send({
      jsonrpc: "2.0",
      method: "log",
      params: { level, text: format(args) },
    });
}

const counts = new Map<string, number>();
const timers = new Map<string, number>();
const capture = {
  log: logger("log"),
  info: logger("info"),
  warn: logger("warn"),
  error: logger("error"),
  debug: logger("debug"),
  trace: logger("debug"),
  dir: (v: unknown) => logger("log")(v),
  table: (v: unknown) => logger("log")(v),
  assert: (cond: unknown, ...args: unknown[]) => {
    if (!cond) logger("error")("Assertion failed:", ...args);
  },
  count: (label = "default") => {
    counts.set(label, (counts.get(label) ?? 0) + 1);
    logger("log")(`${label}: ${counts.get(label)}`);
  },
  time: (label = "default") => void timers.set(label, performance.now()),
  timeEnd: (label = "default") => {
    logger("log")(
      `${label}: ${(performance.now() - (timers.get(label) ?? 0)).toFixed(1)}ms`,
    );
  },
  group: logger("log"),
  groupEnd: () => {},
};
Object.defineProperty(globalThis, "console", {
  value: capture,
  writable: true,
  configurable: true,
});

// Unhandled errors after the script's own control flow are reported as error
// logs; the script's result is what its body returns or throws.
globalThis.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  capture.error(
    "Unhandled promise rejection:",
    describeError(e.reason).message,
  );
});
globalThis.addEventListener("error", (e) => {
  e.preventDefault();
  capture.error("Uncaught error:", describeError(e.error).message);
});

// The `tools` proxy: `tools.a.b(x)` becomes a `tools/call` request.
let nextId = 0;
const calls = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: Error) => void }
>();

class ToolError extends Error {
  override name = "ToolError";
  constructor(readonly tool: string, message: string) {
    super(message);
  }
}

function nearNames(name: string, known: string[]): string[] {
  const words = name.toLowerCase().split(/[._]/);
  return known
    .map((k) => ({
      k,
      score: words.filter((w) => w && k.toLowerCase().includes(w)).length,
    }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, 5)
    .map((x) => x.k);
}

let maxDepth = 128;

// Scans the JSON text: no recursion and no allocation, however deep it is.
function tooDeep(json: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > maxDepth) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

function callTool(tool: string, input: unknown): Promise<unknown> {
  let json: string | undefined;
  try {
    json = input === undefined ? undefined : stringify(input);
  } catch (e) {
    return Promise.reject(
      new TypeError(
        `input for tools.${tool} is not JSON-serializable: ${(e as Error).message}`,
      ),
    );
  }
  if (json !== undefined && tooDeep(json)) {
    return Promise.reject(new TypeError(`input for tools.${tool} nests deeper than ${maxDepth} levels`));
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    calls.set(id, { resolve, reject });
    const params = json === undefined ? { tool } : { tool, input: parse(json) };
    send({ jsonrpc: "2.0", id, method: "tools/call", params });
    scheduleDrain();
  });
}

function makeTools(known: string[]): unknown {
  const names = new Set(known);
  const node = (path: string[]): unknown =>
    new Proxy(function () {}, {
      get: (_t, prop) => (typeof prop === "symbol" || prop === "then" ? undefined : node([...path, prop])),
      apply: (_t, _this, args) => {
        const name = path.join(".");
        // Discovery: `tools.$search("issue", 5)` and `tools.$types("github")`.
        if (name === "$search") {
          return callTool(name, { query: args[0], ...(args[1] === undefined ? {} : { limit: args[1] }) });
        }
        if (name === "$types") {
          return callTool(name, { names: Array.isArray(args[0]) ? args[0] : [args[0]] });
        }
        if (names.has(name)) {
          return callTool(name, args[0]);
        }
        const near = nearNames(name, known);
        const hint = near.length ? ` Did you mean: ${near.map((n) => `tools.${n}`).join(", ")}?` : "";
        return Promise.reject(
          new TypeError(`tools.${name} is not a tool.${hint}`),
        );
      },
    });
  return node([]);
}

// The script's timers, id → due time, so a blocking read never outlasts one.
const scriptTimers = new Map<unknown, number>();

function timerWrappers(): Record<TimerName, (...args: any[]) => any> {
  const real = realTimers();
  return {
    setTimeout: (fn: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof fn !== "function") return real.setTimeout(fn, ms);
      const id = real.setTimeout(() => {
        scriptTimers.delete(id);
        fn(...args);
      }, ms);
      scriptTimers.set(id, now() + Math.max(0, Number(ms) || 0));
      return id;
    },
    setInterval: (fn: unknown, ms?: number, ...args: unknown[]) => {
      if (typeof fn !== "function") return real.setInterval(fn, ms);
      const every = Math.max(0, Number(ms) || 0);
      const id = real.setInterval(() => {
        scriptTimers.set(id, now() + every);
        fn(...args);
      }, ms);
      scriptTimers.set(id, now() + every);
      return id;
    },
    clearTimeout: (id?: unknown) => {
      scriptTimers.delete(id);
      real.clearTimeout(id);
    },
    clearInterval: (id?: unknown) => {
      scriptTimers.delete(id);
      real.clearInterval(id);
    },
  };
}

function trackTimers(): void {
  let wrappers: Record<TimerName, (...args: any[]) => any> | undefined;
  for (const name of TIMER_NAMES) {
    Object.defineProperty(globalThis, name, {
      get: () => (wrappers ??= timerWrappers())[name],
      set: (value) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true }),
      enumerable: true,
      configurable: true,
    });
  }
}

// `drain` runs once the script has issued every call it can right now: after
// its synchronous code and a few generations of microtasks, so all calls of a
// `Promise.all` (even behind an `await` or two) go out before it blocks. A
// microtask costs nothing; a macrotask would (a port message ~50 µs, a nested
// setTimeout(0) 4 ms, setImmediate ~7 ms to load Node compatibility).
const DRAIN_AFTER_MICROTASKS = 16;
let drainScheduled = false;

function scheduleDrain(): void {
  if (drainScheduled) return;
  drainScheduled = true;
  let left = DRAIN_AFTER_MICROTASKS;
  const tick = (): void => (--left > 0 ? queueMicrotask(tick) : drain());
  queueMicrotask(tick);
}

function drain(): void {
  drainScheduled = false;
  if (calls.size === 0) return;
  let next = Infinity;
  for (const due of scriptTimers.values()) next = Math.min(next, due);
  if (next <= now()) {
    // A timer is due: a 0 ms timer queues behind it, so it runs first.
    drainScheduled = true;
    realTimers().setTimeout(drain, 0);
    return;
  }
  // The host writes an empty line after `ms` unless a reply came first.
  if (next !== Infinity) send({ jsonrpc: "2.0", method: "wait", params: { ms: Math.max(0, Math.ceil(next - now())) } });
  do {
    const line = readLine();
    if (line === null) return;
    if (line === "") break;
    deliver(line);
  } while (u8IndexOf(pending, 10) >= 0);
  if (calls.size > 0) scheduleDrain();
}

function deliver(line: string): void {
  let msg: any;
  try {
    msg = parse(line);
  } catch {
    return;
  }
  const call = calls.get(msg?.id);
  if (!call) return;
  calls.delete(msg.id);
  if ("error" in msg) call.reject(new ToolError(msg.error?.data?.tool ?? "", String(msg.error?.message)));
  else call.resolve(msg.result);
}

function finish(params: Record<string, unknown>): never {
  send({ jsonrpc: "2.0", method: "done", params });
  return exit(0);
}

function serializeResult(
  value: unknown,
  maxBytes: number,
): Record<string, unknown> {
  let json: string | undefined;
  try {
    json = stringify(value);
  } catch (e) {
    const error = {
      name: "SerializationError",
      message: `The script's return value cannot be serialized to JSON: ${(e as Error).message}`,
    };
    return { ok: false, error };
  }
  if (json === undefined) return { ok: true };
  if (tooDeep(json)) {
    const message = `The script's return value nests deeper than ${maxDepth} levels`;
    return { ok: false, error: { name: "SerializationError", message } };
  }
  const bytes = encode(json).length;
  if (bytes <= maxBytes) return { ok: true, result: parse(json) };
  return {
    ok: true,
    result: json.slice(0, Math.floor(maxBytes / 4)),
    truncatedBytes: bytes,
  };
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(binary);
}

const init = parse(readLine() ?? "null");
nonce = init.params.nonce;
// The read buffer still holds the run line, nonce included: wipe it.
u8Fill(chunk, 0);
// Web storage would persist across executions; the sandbox has none.
for (const name of ["localStorage", "sessionStorage", "caches"]) {
  Object.defineProperty(globalThis, name, { value: undefined, configurable: false });
}
maxLogLineBytes = init.params.maxLogLineBytes;
maxDepth = init.params.maxDepth;
Object.defineProperty(globalThis, "tools", {
  value: makeTools(init.params.tools),
  enumerable: true,
});
trackTimers();

try {
  const source = WRAPPER + init.params.code + "\n}";
  // A computed specifier keeps the user's code out of the static module graph,
  // so every import it makes is permission-checked at run time.
  const specifier = "data:application/typescript;base64," +
    toBase64(encode(source));
  const mod = await import(specifier);
  const value = await mod.default();
  finish(serializeResult(value, init.params.maxResultBytes));
} catch (e) {
  finish({ ok: false, error: describeError(e) });
}
