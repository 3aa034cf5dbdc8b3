// @ts-check
// The only code that runs inside the sandbox child, besides the user's script.
// It imports nothing: the wire shapes are described in src/rpc/protocol.ts and
// every frame written here is parsed and validated by the host. It is plain
// JavaScript so that the child needs no transpile cache for it: the
// executor's Deno dir holds nothing a script could leave behind.
//
// Order matters: everything the prelude needs from the runtime is captured
// before the user's code runs, so a script that patches globals can only
// confuse itself, never forge the protocol. Frames are built as text from
// primitives (a script's `toJSON` or getters never shape them), and the nonce
// that marks them lives only in a typed array: it is never a JS string, so a
// heap snapshot does not show it (typed array bytes are not in snapshots).

const writeSync = Deno.stdout.writeSync.bind(Deno.stdout);
const readSync = Deno.stdin.readSync.bind(Deno.stdin);
// Deno builds its timer functions on first access (~7 ms): they are taken
// from the original accessors only when the script first uses a timer.
const TIMER_NAMES = /** @type {const} */ (["setTimeout", "setInterval", "clearTimeout", "clearInterval"]);
/** @typedef {Record<string, (...args: any[]) => any>} Fns */
const timerDescriptors = new Map(TIMER_NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)]));
/** @type {Fns | undefined} */
let realTimerFns;

/** @returns {Fns} */
function realTimers() {
  if (realTimerFns) return realTimerFns;
  /** @type {Fns} */
  const fns = {};
  for (const [name, d] of timerDescriptors) fns[name] = d?.get ? d.get.call(globalThis) : d?.value;
  return (realTimerFns = fns);
}
const now = performance.now.bind(performance);
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const encodeInto = encoder.encodeInto.bind(encoder);
const decoder = new TextDecoder();
const decode = decoder.decode.bind(decoder);
const stringify = JSON.stringify;
const parse = JSON.parse;
const inspect = Deno.inspect;
const exit = Deno.exit;
const toText = String;
const { ceil, max, min } = Math;
// Prototype methods are patchable by the script; the ones the protocol
// relies on are captured here and called uncurried.
const call = Function.prototype.call;
/** @type {<F extends (...args: any[]) => any>(fn: F) => (self: unknown, ...args: Parameters<F>) => ReturnType<F>} */
const uncurry = (fn) => /** @type {any} */ (call.bind(fn));
const U8 = Uint8Array;
const queueMicrotask = globalThis.queueMicrotask;
const u8IndexOf = uncurry(U8.prototype.indexOf);
const u8Slice = uncurry(U8.prototype.slice);
const u8Subarray = uncurry(U8.prototype.subarray);
const u8Set = uncurry(/** @type {(a: ArrayLike<number>, offset?: number) => void} */ (U8.prototype.set));
const u8Fill = uncurry(/** @type {(v: number) => Uint8Array} */ (U8.prototype.fill));
const typedLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(U8.prototype), "length")?.get;
const u8Length = /** @type {(self: Uint8Array) => number} */ (uncurry(/** @type {() => number} */ (typedLength)));
const charCodeAt = uncurry(String.prototype.charCodeAt);
const strSlice = uncurry(String.prototype.slice);
const strStartsWith = uncurry(String.prototype.startsWith);
const defineProperty = Object.defineProperty;
const captureStack = typeof Error.captureStackTrace === "function" ? Error.captureStackTrace : undefined;
const SCRIPT = "script.ts";
const WRAPPER = "export default async function () {";

const NONCE_BYTES = 32;
const nonce = new U8(NONCE_BYTES);
let pending = new U8(0);
const chunk = new U8(65536);

/** @param {unknown} value @returns {string} a JSON string literal, whatever `value` is. */
function str(value) {
  if (typeof value === "string") return stringify(value);
  try {
    return stringify(toText(value));
  } catch {
    return '"?"';
  }
}

/** @param {unknown} value @returns {number} a finite integer. */
function int(value) {
  return typeof value === "number" && value === value && value < Infinity && value > -Infinity ? ceil(value) : 0;
}

// Frames are encoded into one reused buffer, each after a copy of the
// nonce's bytes. It only grows (to 3 bytes per UTF-16 unit of the frames
// queued at once, the most UTF-8 can take).
let out = new U8(65536);

// Tool calls the script makes in one go (a `Promise.all`) are written
// together once its synchronous code is done: one write wakes the host once,
// instead of once per call. Every other frame goes out at once, after them.
// Queued frames are bytes in `out`, never JS arrays a script's prototype
// setters could reach.
let queued = 0;

/** Appends one frame to `out`: the nonce's bytes, the frame text, a newline. @param {string} frame */
function append(frame) {
  const need = queued + NONCE_BYTES + frame.length * 3 + 1;
  if (u8Length(out) < need) {
    const bigger = new U8(max(need, 2 * u8Length(out)));
    u8Set(bigger, u8Subarray(out, 0, queued));
    u8Fill(out, 0);
    out = bigger;
  }
  u8Set(out, nonce, queued);
  const end = queued + NONCE_BYTES + encodeInto(frame, u8Subarray(out, queued + NONCE_BYTES)).written;
  out[end] = 10;
  queued = end + 1;
}

/** Writes what `out` holds. */
function flush() {
  let offset = 0;
  while (offset < queued) offset += writeSync(u8Subarray(out, offset, queued));
  queued = 0;
}

/** Queues a tool call's frame. @param {string} frame */
function sendCall(frame) {
  if (queued === 0) queueMicrotask(flush);
  append(frame);
}

/** Writes one frame, after the calls queued before it. @param {string} frame */
function send(frame) {
  append(frame);
  flush();
}

// Replies are read with blocking reads: Deno's async stdin read costs a
// thread hop per line (~70 µs), a blocking read ~15 µs. The child only reads
// while tool calls are pending, and never blocks past its next timer: it
// asks the host to wake it then (see `drain`).
/**
 * @param {boolean} [text] decode the line (a reply) instead of copying its bytes (the nonce).
 * @returns {Uint8Array | string | null} the next line, without the newline.
 */
function nextLine(text) {
  while (true) {
    const nl = u8IndexOf(pending, 10);
    if (nl >= 0) {
      const line = text ? decode(u8Subarray(pending, 0, nl)) : u8Slice(pending, 0, nl);
      const rest = u8Slice(pending, nl + 1);
      u8Fill(pending, 0);
      pending = rest;
      return line;
    }
    const n = readSync(chunk);
    if (n === null) return null;
    // The usual reply: one whole line in one read, nothing pending. It is
    // decoded where it was read, with no copy.
    if (text && u8Length(pending) === 0 && u8IndexOf(chunk, 10) === n - 1) return decode(u8Subarray(chunk, 0, n - 1));
    const had = u8Length(pending);
    const next = new U8(had + n);
    u8Set(next, pending);
    u8Set(next, u8Subarray(chunk, 0, n), had);
    u8Fill(pending, 0);
    pending = next;
  }
}

/** @returns {Uint8Array | null} the next line's bytes, without the newline. */
function readLineBytes() {
  return /** @type {Uint8Array | null} */ (nextLine(false));
}

/** @returns {string | null} */
function readLine() {
  return /** @type {string | null} */ (nextLine(true));
}

// Stack frames point into the data: URL; rewrite them to `script.ts:line:col`
// of the user's own code and drop the prelude's frames (they name host paths).
const DATA_LOCATION = /data:application\/typescript,[A-Za-z0-9%._-]*:(\d+):(\d+)/g;
const DATA_URL = "data:application/typescript,";

/** @param {string} _m @param {string} line @param {string} col */
function userLocation(_m, line, col) {
  const l = Number(line);
  const c = l === 1 ? Math.max(1, Number(col) - WRAPPER.length) : Number(col);
  return `${SCRIPT}:${l}:${c}`;
}

/** @param {string} stack */
function cleanStack(stack) {
  return stack.replace(DATA_LOCATION, userLocation).split("\n")
    .filter((l) => !/^\s+at /.test(l) || l.includes(SCRIPT))
    .join("\n");
}

// A permission error names what was refused; Deno's advice to re-run with an
// --allow flag means nothing to the model, and a resolver's address is the host's.
/** @param {string} name @param {string} message */
function permissionMessage(name, message) {
  if (name !== "NotCapable" && name !== "PermissionDenied") return message;
  return message.replace(/, run again with the --allow-\w+ flag$/, "") + " (the sandbox has no permissions)";
}

/** @param {unknown} e @returns {{ name: string, message: string, stack?: string, line?: number, column?: number }} */
function describeError(e) {
  if (!(e instanceof Error)) {
    return { name: "Error", message: `Uncaught ${inspect(e, { colors: false })}` };
  }
  let message = String(e.message).replace(DATA_LOCATION, userLocation);
  let name = String(e.name);
  // A syntax error in the script surfaces as a TypeError wrapping it.
  if (name === "TypeError" && message.startsWith("SyntaxError: ")) {
    name = "SyntaxError";
    message = message.slice("SyntaxError: ".length);
  }
  message = permissionMessage(name, message);
  const stack = cleanStack(String(e.stack ?? ""));
  if (e instanceof ToolError && e.line !== undefined) return { name, message, stack, line: e.line, column: e.column };
  const at = /script\.ts:(\d+):(\d+)/.exec(stack) ?? /script\.ts:(\d+):(\d+)/.exec(message);
  return { name, message, stack, ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}) };
}

// Console capture: every console method becomes a `log` notification.
let maxLogLineBytes = 16384;

/** @param {unknown[]} args */
function format(args) {
  const text = args.map((a) => typeof a === "string" ? a : inspect(a, { colors: false, depth: 6 })).join(" ");
  return text.length > maxLogLineBytes
    ? text.slice(0, maxLogLineBytes) + `… [truncated ${text.length - maxLogLineBytes} chars]`
    : text;
}

/** @param {"log" | "info" | "warn" | "error" | "debug"} level @returns {(...args: unknown[]) => void} */
function logger(level) {
  return (...args) =>
    send(`{"jsonrpc":"2.0","method":"log","params":{"level":"${level}","text":${str(format(args))}}}`);
}

const counts = new Map();
const timers = new Map();
const capture = {
  log: logger("log"),
  info: logger("info"),
  warn: logger("warn"),
  error: logger("error"),
  debug: logger("debug"),
  trace: logger("debug"),
  dir: (/** @type {unknown} */ v) => logger("log")(v),
  table: (/** @type {unknown} */ v) => logger("log")(v),
  assert: (/** @type {unknown} */ cond, /** @type {unknown[]} */ ...args) => {
    if (!cond) logger("error")("Assertion failed:", ...args);
  },
  count: (label = "default") => {
    counts.set(label, (counts.get(label) ?? 0) + 1);
    logger("log")(`${label}: ${counts.get(label)}`);
  },
  time: (label = "default") => void timers.set(label, performance.now()),
  timeEnd: (label = "default") => {
    logger("log")(`${label}: ${(performance.now() - (timers.get(label) ?? 0)).toFixed(1)}ms`);
  },
  group: logger("log"),
  groupEnd: () => {},
};
Object.defineProperty(globalThis, "console", { value: capture, writable: true, configurable: true });

// Unhandled errors after the script's own control flow are reported as error
// logs; the script's result is what its body returns or throws.
globalThis.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  capture.error("Unhandled promise rejection:", describeError(e.reason).message);
});
globalThis.addEventListener("error", (e) => {
  e.preventDefault();
  capture.error("Uncaught error:", describeError(e.error).message);
});

// The `tools` proxy: `tools.a.b(x)` becomes a `tools/call` request.
let nextId = 0;
/** @type {Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void, site: object | undefined }>} */
const calls = new Map();

/** @typedef {{ line: number, column: number, frames: string }} CallSite */

class ToolError extends Error {
  /** @param {string} tool @param {string} message @param {CallSite} [site] where the script called the tool. */
  constructor(tool, message, site) {
    const text = site ? `${message} (${SCRIPT}:${site.line}:${site.column})` : message;
    super(text);
    this.name = "ToolError";
    this.tool = tool;
    if (!site) return;
    this.line = site.line;
    this.column = site.column;
    defineProperty(this, "stack", { value: `ToolError: ${text}${site.frames}`, writable: true, configurable: true });
  }
}

// Where the script called a tool: a stack is captured with every call (V8
// keeps its frames unformatted; 12–20 µs of the child's CPU a call, measured
// over 20,000 calls, the capture alone 2–5 µs) and read only when it fails,
// through V8's structured call sites (50–200 µs, growing with the script's
// size; Deno's text of the same stack costs 70 µs to 4 ms). A script's own
// `Error.prepareStackTrace` is set aside meanwhile.
const MAX_POSITION = 10_000_000;
/** @type {CallSite | undefined} */
let lastSite;

/** @returns {object | undefined} a holder of the stack above `callTool`. */
function captureSite() {
  if (!captureStack) return undefined;
  const holder = {};
  try {
    captureStack(holder, callTool);
  } catch {
    return undefined;
  }
  return holder;
}

/** @param {unknown} line @param {unknown} column @returns {{ line: number, column: number } | undefined} */
function scriptPosition(line, column) {
  if (typeof line !== "number" || typeof column !== "number") return undefined;
  const c = line === 1 ? max(1, column - WRAPPER.length) : column;
  const valid = (/** @type {number} */ n) => n >= 1 && n <= MAX_POSITION && int(n) === n;
  return valid(line) && valid(c) ? { line, column: c } : undefined;
}

// Deno calls `Error.prepareStackTrace` with V8's call sites; this one keeps
// the frames in the user's code.
/** @param {unknown} _error @param {any[]} callSites */
function scriptFrames(_error, callSites) {
  /** @type {{ line: number, column: number } | undefined} */
  let first;
  let frames = "";
  for (let i = 0; i < callSites.length; i++) {
    const site = callSites[i];
    const file = site.getFileName();
    if (typeof file !== "string" || !strStartsWith(file, DATA_URL)) continue;
    const at = scriptPosition(site.getLineNumber(), site.getColumnNumber());
    if (!at) continue;
    first ??= at;
    const where = `${SCRIPT}:${at.line}:${at.column}`;
    const name = site.getFunctionName();
    const async = site.isAsync() === true ? "async " : "";
    frames += `\n    at ${async}${typeof name === "string" && name ? `${name} (${where})` : where}`;
  }
  lastSite = first && { line: first.line, column: first.column, frames };
  return "";
}

/** @param {any} holder from `captureSite`. @returns {CallSite | undefined} */
function readSite(holder) {
  if (!holder) return undefined;
  lastSite = undefined;
  /** @type {any} */
  let errorClass;
  /** @type {unknown} */
  let saved;
  try {
    // Deno looks the hook up on the global `Error`, whatever it is now.
    errorClass = globalThis.Error;
    saved = errorClass.prepareStackTrace;
    errorClass.prepareStackTrace = scriptFrames;
    void holder.stack;
  } catch {
    return undefined;
  } finally {
    try {
      if (errorClass) errorClass.prepareStackTrace = saved;
    } catch { /* the script's own hook could not be put back: its concern */ }
  }
  return lastSite;
}

let maxDepth = 128;

// Scans the JSON text: no recursion and no allocation, however deep it is.
/** @param {string} json */
function tooDeep(json) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = charCodeAt(json, i);
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

// A tool call's promise notes when the script first hands it a callback:
// `await` (it sees a constructor other than Promise, so it calls `then`),
// `.then`/`.catch`/`.finally`, `Promise.all` and its kin. One the script
// never handed a callback when it returns lost its result: a warning names
// the line. Promises derived from it are plain ones.
const promiseThen = uncurry(Promise.prototype.then);
/** @type {Map<ToolCall, { tool: string, site: object | undefined }>} */
const unawaited = new Map();
const MAX_UNAWAITED_PLACES = 10;

class ToolCall extends Promise {
  /** @override */
  static get [Symbol.species]() {
    return Promise;
  }

  /** @override @param {any} [onFulfilled] @param {any} [onRejected] @returns {Promise<any>} */
  then(onFulfilled, onRejected) {
    unawaited.delete(this);
    return promiseThen(this, onFulfilled, onRejected);
  }
}

// One warning per place (a loop's calls share one); the places of the first
// MAX_UNAWAITED_PLACES calls are read (50–200 µs each), the rest are counted.
function warnUnawaited() {
  const warn = logger("warn");
  /** @type {Map<string, number>} */
  const places = new Map();
  let unplaced = 0;
  for (const [, call] of unawaited) {
    if (places.size >= MAX_UNAWAITED_PLACES) {
      unplaced++;
      continue;
    }
    const site = readSite(call.site);
    const place = `tools.${call.tool}()${site ? ` at ${SCRIPT}:${site.line}:${site.column}` : ""}`;
    places.set(place, (places.get(place) ?? 0) + 1);
  }
  unawaited.clear();
  for (const [place, n] of places) {
    warn(`${place} was never awaited${n > 1 ? ` (${n} calls)` : ""}: the script returned before using its result`);
  }
  if (unplaced > 0) warn(`… and ${unplaced} more tool calls that were never awaited`);
}

/** @param {string} tool @param {unknown} input @returns {Promise<unknown>} */
function callTool(tool, input) {
  /** @type {unknown} */
  let json;
  try {
    json = input === undefined ? undefined : stringify(input);
  } catch (e) {
    const why = /** @type {Error} */ (e).message;
    return Promise.reject(new TypeError(`input for tools.${tool} is not JSON-serializable: ${why}`));
  }
  if (typeof json === "string" && tooDeep(json)) {
    return Promise.reject(new TypeError(`input for tools.${tool} nests deeper than ${maxDepth} levels`));
  }
  const id = nextId++;
  const site = captureSite();
  const promise = new ToolCall((resolve, reject) => {
    calls.set(id, { resolve, reject, site });
    // `json` is the captured JSON.stringify's own output: well-formed JSON on one line.
    const input = typeof json === "string" ? `,"input":${json}` : "";
    const params = `{"tool":${str(tool)}${input}${takeReads(",")}}`;
    sendCall(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":${params}}`);
    scheduleDrain();
  });
  unawaited.set(promise, { tool, site });
  return promise;
}

// Every call goes to the host, which knows the tools: it answers an unknown
// name with the same "did you mean" suggestions as tool search does.
/** The longest tool name the host accepts in a frame. */
const MAX_TOOL_NAME = 512;

function makeTools() {
  /** @param {string[]} path @returns {unknown} */
  const node = (path) =>
    new Proxy(function () {}, {
      get: (_t, prop) => (typeof prop === "symbol" || prop === "then" ? undefined : node([...path, prop])),
      apply: (_t, _this, args) => {
        const name = path.join(".");
        if (name.length > MAX_TOOL_NAME) {
          return Promise.reject(new TypeError(`tools.${name.slice(0, 60)}… is not a tool (the name is too long)`));
        }
        // Discovery: `tools.$search("issue", 5)` and `tools.$types("github")`.
        if (name === "$search") {
          return callTool(name, { query: args[0], ...(args[1] === undefined ? {} : { limit: args[1] }) });
        }
        if (name === "$types") return callTool(name, { names: Array.isArray(args[0]) ? args[0] : [args[0]] });
        return callTool(name, args[0]);
      },
    });
  return node([]);
}

// The script's timers, id → due time, so a blocking read never outlasts one.
/** @type {Map<unknown, number>} */
const scriptTimers = new Map();

/** @returns {Fns} */
function timerWrappers() {
  const real = realTimers();
  return {
    setTimeout: (/** @type {any} */ fn, /** @type {number} */ ms, /** @type {unknown[]} */ ...args) => {
      if (typeof fn !== "function") return real.setTimeout(fn, ms);
      const id = real.setTimeout(() => {
        scriptTimers.delete(id);
        fn(...args);
      }, ms);
      scriptTimers.set(id, now() + max(0, Number(ms) || 0));
      return id;
    },
    setInterval: (/** @type {any} */ fn, /** @type {number} */ ms, /** @type {unknown[]} */ ...args) => {
      if (typeof fn !== "function") return real.setInterval(fn, ms);
      const every = max(0, Number(ms) || 0);
      const id = real.setInterval(() => {
        scriptTimers.set(id, now() + every);
        fn(...args);
      }, ms);
      scriptTimers.set(id, now() + every);
      return id;
    },
    clearTimeout: (/** @type {unknown} */ id) => {
      scriptTimers.delete(id);
      real.clearTimeout(id);
    },
    clearInterval: (/** @type {unknown} */ id) => {
      scriptTimers.delete(id);
      real.clearInterval(id);
    },
  };
}

function trackTimers() {
  /** @type {Fns | undefined} */
  let wrappers;
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

function scheduleDrain() {
  if (drainScheduled) return;
  drainScheduled = true;
  let left = DRAIN_AFTER_MICROTASKS;
  /** @returns {void} */
  const tick = () => (--left > 0 ? queueMicrotask(tick) : drain());
  queueMicrotask(tick);
}

function drain() {
  drainScheduled = false;
  flush();
  if (calls.size === 0) return;
  let next = Infinity;
  for (const due of scriptTimers.values()) next = min(next, due);
  if (next <= now()) {
    // A timer is due: a 0 ms timer queues behind it, so it runs first.
    drainScheduled = true;
    realTimers().setTimeout(drain, 0);
    return;
  }
  // The host writes an empty line after `ms` unless a reply came first. While
  // recording, the host hears of every block: one without `ms` may pause the run.
  const wake = next === Infinity ? "" : `"ms":${int(min(2147483647, max(0, next - now())))}`;
  if (wake !== "" || recording) {
    send(`{"jsonrpc":"2.0","method":"wait","params":{${wake}${takeReads(wake === "" ? "" : ",")}}}`);
  }
  do {
    const line = readLine();
    if (line === null) return;
    if (line === "") break;
    deliver(line);
  } while (u8IndexOf(pending, 10) >= 0);
  if (calls.size > 0) scheduleDrain();
}

/** @param {string} line */
function deliver(line) {
  /** @type {any} */
  let msg;
  try {
    msg = parse(line);
  } catch {
    return;
  }
  const call = calls.get(msg?.id);
  if (!call) return;
  calls.delete(msg.id);
  if (!("error" in msg)) return call.resolve(msg.result);
  const site = readSite(call.site);
  // The host records where the failed call was made, for the trace.
  if (site) {
    const params = `{"id":${int(msg.id)},"line":${site.line},"column":${site.column}}`;
    send(`{"jsonrpc":"2.0","method":"tools/site","params":${params}}`);
  }
  call.reject(new ToolError(msg.error?.data?.tool ?? "", String(msg.error?.message), site));
}

// The result is sent, then the child waits for the host to close its stdin:
// nothing of the script runs after `done`, and the host can measure the
// child's memory before it accepts the result.
/** @param {string} params the `done` params as JSON text. @returns {never} */
function finish(params) {
  if (unawaited.size > 0) warnUnawaited();
  send(`{"jsonrpc":"2.0","method":"done","params":${params}}`);
  while (readSync(chunk) !== null) { /* until the host closes stdin */ }
  return exit(0);
}

/** @param {unknown} value @param {number} maxBytes @returns {string} the `done` params. */
function resultParams(value, maxBytes) {
  /** @type {unknown} */
  let json;
  try {
    json = stringify(value);
  } catch (e) {
    const why = /** @type {Error} */ (e).message;
    return errorParams({
      name: "SerializationError",
      message: `The script's return value cannot be serialized to JSON: ${why}`,
    });
  }
  if (typeof json !== "string") return `{"ok":true}`;
  if (tooDeep(json)) {
    return errorParams({
      name: "SerializationError",
      message: `The script's return value nests deeper than ${maxDepth} levels`,
    });
  }
  const bytes = u8Length(encode(json));
  if (bytes <= maxBytes) return `{"ok":true,"result":${json}}`;
  return `{"ok":true,"result":${str(strSlice(json, 0, ceil(maxBytes / 4)))},"truncatedBytes":${int(bytes)}}`;
}

// The host caps them too; cutting here keeps a huge message from turning an
// error into an output_limit.
const MAX_ERROR_CHARS = 8192;

/** @param {unknown} text @param {number} max */
function capped(text, max = MAX_ERROR_CHARS) {
  const s = typeof text === "string" ? text : toText(text);
  return s.length <= max ? s : strSlice(s, 0, max) + `… [${s.length - max} more characters]`;
}

/** @param {ReturnType<typeof describeError>} error @returns {string} the `done` params. */
function errorParams(error) {
  const stack = error.stack === undefined ? "" : `,"stack":${str(capped(error.stack))}`;
  const line = error.line === undefined ? "" : `,"line":${int(error.line)},"column":${int(error.column)}`;
  return `{"ok":false,"error":{"name":${str(capped(error.name, 160))},"message":${
    str(capped(error.message))
  }${stack}${line}}}`;
}

// The script's data: URL, percent-encoded: `encodeURIComponent` is V8's
// own (Deno loads `btoa` on first use, ~2 ms of every start). The five
// characters it leaves that could end a stack frame's location are encoded too.
const URL_UNSAFE = /[!'()*~]/g;
/** @param {string} c */
const percent = (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase();

/** @param {string} source @returns {string} */
function dataUrl(source) {
  return DATA_URL + encodeURIComponent(source).replace(URL_UNSAFE, percent);
}

// Pause and resume (only when the host asks: an execution that may pause for
// approval). Every value the script reads from the clock or the random
// generator is recorded and sent with its next frame; a resume sends the
// values of the first run back, and they are served again, in order, so the
// script takes the same path. A read of another kind than the next recorded
// one ends the replay: the host sees the difference and reports it.
let recording = false;
let readsText = "";
let readChars = 0;
let maxReadChars = 0;
/** @type {[string, unknown][]} */
let replay = [];
let replayAt = 0;

/** @param {string} kind @param {string} json */
function note(kind, json) {
  if (readChars > maxReadChars) return;
  const entry = `["${kind}",${json}]`;
  readChars += entry.length + 1;
  if (readChars > maxReadChars) readsText = "";
  else readsText = readsText === "" ? entry : readsText + "," + entry;
}

/** @param {string} lead what goes before the field. @returns {string} the `reads` field of the next frame. */
function takeReads(lead) {
  if (!recording) return "";
  const field = readChars > maxReadChars ? `"reads":"overflow"` : `"reads":[${readsText}]`;
  readsText = "";
  return lead + field;
}

/**
 * @template T
 * @param {string} kind @param {() => T} live
 * @param {(v: unknown) => boolean} fits whether a recorded value can stand for this read.
 * @param {(v: T) => string} json
 * @returns {T} the recorded value while the replay lasts, else the live one; noted either way.
 */
function observe(kind, live, fits, json) {
  const next = replayAt < replay.length ? replay[replayAt] : undefined;
  /** @type {T} */
  let value;
  if (next !== undefined && next[0] === kind && fits(next[1])) {
    value = /** @type {T} */ (next[1]);
    replayAt++;
  } else {
    replayAt = replay.length;
    value = live();
  }
  note(kind, json(value));
  return value;
}

const isNumber = (/** @type {unknown} */ v) => typeof v === "number";
const HEX = "0123456789abcdef";

/** @param {Uint8Array} bytes */
function toHex(bytes) {
  let hex = "";
  for (let i = 0; i < u8Length(bytes); i++) hex += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return hex;
}

/** @param {string} hex @param {number} i @returns {number} the value of the hex digit at `i`. */
function hexDigit(hex, i) {
  const c = charCodeAt(hex, i);
  return c <= 57 ? c - 48 : c - 87;
}

/** @param {any} nowFn the real clock. @returns {() => number} a clock that never runs backwards past a replay. */
function monotonic(nowFn) {
  let last = -Infinity;
  let shift = 0;
  const live = () => {
    const t = nowFn() + shift;
    if (t >= last) return t;
    shift += last - t;
    return last;
  };
  return () => (last = observe("p", live, isNumber, toText));
}

/** @param {{ maxChars: number, replay: [string, unknown][] }} record */
function startRecording(record) {
  recording = true;
  maxReadChars = record.maxChars;
  replay = record.replay;
  const RealDate = Date;
  const dateNow = RealDate.now;
  const construct = Reflect.construct;
  const clock = () => observe("d", dateNow, isNumber, toText);
  /** @this {unknown} @param {unknown[]} args */
  function ReplayDate(...args) {
    if (new.target === undefined) return new RealDate(clock()).toString();
    return construct(RealDate, args.length === 0 ? [clock()] : args, new.target);
  }
  Object.setPrototypeOf(ReplayDate, RealDate);
  defineProperty(ReplayDate, "prototype", { value: RealDate.prototype });
  defineProperty(ReplayDate, "now", { value: clock, writable: true, configurable: true });
  defineProperty(RealDate.prototype, "constructor", { value: ReplayDate, writable: true, configurable: true });
  defineProperty(globalThis, "Date", { value: ReplayDate, writable: true, configurable: true });
  defineProperty(performance, "now", { value: monotonic(now), writable: true, configurable: true });
  const random = Math.random;
  defineProperty(Math, "random", { value: () => observe("r", random, isNumber, toText), writable: true });
  const uuid = crypto.randomUUID.bind(crypto);
  const isUuid = (/** @type {unknown} */ v) => typeof v === "string" && v.length === 36;
  defineProperty(crypto, "randomUUID", { value: () => observe("u", uuid, isUuid, str), writable: true });
  const fill = crypto.getRandomValues.bind(crypto);
  const typed = Object.getPrototypeOf(U8.prototype);
  const getter = (/** @type {string} */ n) =>
    uncurry(/** @type {any} */ (Object.getOwnPropertyDescriptor(typed, n)).get);
  const [buffer, offset, byteLength] = [getter("buffer"), getter("byteOffset"), getter("byteLength")];
  /** @template {ArrayBufferView | null} T @param {T} array @returns {T} */
  const getRandomValues = (array) => {
    const filled = fill(/** @type {any} */ (array)); // checks the array's kind and size first
    const bytes = new U8(buffer(array), offset(array), byteLength(array));
    const fits = (/** @type {unknown} */ v) => typeof v === "string" && v.length === 2 * u8Length(bytes);
    const hex = observe("g", () => toHex(bytes), fits, str);
    for (let i = 0; i < u8Length(bytes); i++) bytes[i] = (hexDigit(hex, 2 * i) << 4) | hexDigit(hex, 2 * i + 1);
    return filled;
  };
  defineProperty(crypto, "getRandomValues", { value: getRandomValues, writable: true });
}

// Web storage would persist across executions; the sandbox has none. Deno's
// internal namespace (ops, promise and proxy inspection) is not for scripts.
for (const name of ["localStorage", "sessionStorage", "caches"]) {
  Object.defineProperty(globalThis, name, { value: undefined, configurable: false });
}
delete (/** @type {any} */ (Deno))[/** @type {any} */ (Deno).internal];
// No host path reaches the script: the Deno binary is just "deno", the DNS
// resolver's address is not shown, and the working dir is "/".
const sandboxed = /** @type {any} */ (Deno);
sandboxed.execPath = () => "deno";
sandboxed.resolveDns = (/** @type {unknown} */ query) =>
  Promise.reject(
    new Deno.errors.NotCapable(`Requires net access to resolve ${str(query)} (the sandbox has no permissions)`),
  );
Object.defineProperty(globalThis, "tools", { value: makeTools(), enumerable: true });
trackTimers();

// Ready: one newline on stdout, before any code of the script can run. The
// host takes it off the stream; then it sends the nonce and the code. (A host
// that closed stdout early hears nothing: the child still runs its script.)
function sayReady() {
  try {
    writeSync(new U8([10]));
  } catch { /* nobody listens */ }
}

// A child started ahead (the warm pool) is sent an empty line first: it has
// time to go through what a script's first steps cost the first few times
// (Deno's TypeScript module loading and text decoding, a tool call's path:
// 5 ms for the first import of a script, 1 ms by the third), says it is
// ready again, and waits. A fresh child is sent its code at once and skips
// this: nothing of it is state a script could see, only warmer caches.
async function warmUp() {
  for (const n of [0, 1, 2]) {
    const mod = await import(dataUrl(`${WRAPPER}const a: number[] = [${n}]; return a.length;\n}`));
    await mod.default();
  }
  parse(decode(encode(stringify({ a: [1, "b"] }))));
  tooDeep(stringify({ a: [1] }));
  str("warm.up");
  readSite(captureSite());
}

sayReady();
let nonceLine = readLineBytes();
while (nonceLine !== null && u8Length(nonceLine) === 0) {
  await warmUp();
  sayReady();
  nonceLine = readLineBytes();
}

// The first line is the nonce: its bytes go straight into `nonce`, never
// into a string; every buffer that held them is wiped.
if (nonceLine === null || u8Length(nonceLine) !== NONCE_BYTES) exit(70);
u8Set(nonce, /** @type {Uint8Array} */ (nonceLine));
u8Fill(/** @type {Uint8Array} */ (nonceLine), 0);
u8Fill(chunk, 0);
const init = parse(readLine() ?? "null");
u8Fill(chunk, 0);
maxLogLineBytes = init.params.maxLogLineBytes;
maxDepth = init.params.maxDepth;
if (init.params.record) startRecording(init.params.record);

try {
  const source = WRAPPER + init.params.code + "\n}";
  // A computed specifier keeps the user's code out of the static module graph,
  // so every import it makes is permission-checked at run time.
  const specifier = dataUrl(source);
  const mod = await import(specifier);
  const value = await mod.default();
  finish(resultParams(value, init.params.maxResultBytes));
} catch (e) {
  finish(errorParams(describeError(e)));
}
