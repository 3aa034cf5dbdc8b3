// The type checker itself, run in the checker's worker thread: a warm
// TypeScript language service over two in-memory files, the tools'
// declarations and the script wrapped as an async function's body. It
// resolves nothing (`noResolve`): an import or a `/// <reference path>` in a
// script names a file the checker never opens. The only files it reads are
// TypeScript's own `lib.*.d.ts`, by their fixed names, from its package.
import ts from "typescript";
import { MAX_DIAGNOSTIC_CHARS, MAX_DIAGNOSTICS, type TypeDiagnostic } from "./diagnostics.ts";

const SCRIPT = "/script.ts";
const TOOLS = "/tools.d.ts";
// The script is the body of an async function, as in the sandbox; its first
// line is line 3 of the checked file.
const PREFIX = "export {};\nasync function __codemode_script() {\n";
const PREFIX_LINES = 2;
const SUFFIX = "\n}\n";
const LIB_NAME = /^\/lib\.[a-z0-9.]+\.d\.ts$/;

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  // Models write loose code that runs: what the check is for is a tool's
  // name, its input's fields and their types, and plain mistakes.
  strict: false,
  noEmit: true,
  noResolve: true,
  types: [],
  skipLibCheck: true,
  allowJs: false,
};

/** What the worker answers for one script. */
export interface CheckOutcome {
  diagnostics: TypeDiagnostic[];
  /** Diagnostics left out past {@linkcode MAX_DIAGNOSTICS}. */
  more: number;
}

/** A warm checker: keeps the language service, the lib files and the declarations between scripts. */
export class ScriptChecker {
  readonly #libDir = libDirectory();
  readonly #libs = new Map<string, ts.IScriptSnapshot>();
  readonly #files = new Map<string, { text: string; version: number }>([
    [SCRIPT, { text: "", version: 0 }],
    [TOOLS, { text: "", version: 0 }],
  ]);
  readonly #service: ts.LanguageService;

  constructor() {
    this.#service = ts.createLanguageService(this.#host(), ts.createDocumentRegistry());
  }

  /**
   * Checks `code` against `declarations` (kept from the last call when omitted).
   *
   * @param code the script, as the model wrote it.
   * @param declarations the tools' declarations, when they changed.
   * @returns the errors, positioned in the script.
   */
  check(code: string, declarations?: string): CheckOutcome {
    if (declarations !== undefined) this.#set(TOOLS, declarations);
    this.#set(SCRIPT, PREFIX + code + SUFFIX);
    const found = [
      ...this.#service.getSyntacticDiagnostics(SCRIPT),
      ...this.#service.getSemanticDiagnostics(SCRIPT),
    ].filter((d) => d.category === ts.DiagnosticCategory.Error);
    const source = this.#service.getProgram()?.getSourceFile(SCRIPT);
    const diagnostics = found.slice(0, MAX_DIAGNOSTICS).map((d) => describe(d, source));
    return { diagnostics, more: Math.max(0, found.length - MAX_DIAGNOSTICS) };
  }

  #set(name: string, text: string): void {
    const file = this.#files.get(name)!;
    if (file.text === text) return;
    file.text = text;
    file.version++;
  }

  #host(): ts.LanguageServiceHost {
    const files = this.#files;
    return {
      getCompilationSettings: () => OPTIONS,
      getScriptFileNames: () => [TOOLS, SCRIPT],
      getScriptVersion: (name) => String(files.get(name)?.version ?? 0),
      getScriptSnapshot: (name) => {
        const file = files.get(name);
        return file ? ts.ScriptSnapshot.fromString(file.text) : this.#lib(name);
      },
      getCurrentDirectory: () => "/",
      getDefaultLibFileName: () => "/lib.d.ts",
      fileExists: (name) => files.has(name) || this.#lib(name) !== undefined,
      readFile: (name) => files.get(name)?.text ?? this.#libText(name),
      directoryExists: (name) => name === "/",
      getDirectories: () => [],
      useCaseSensitiveFileNames: () => true,
    };
  }

  // TypeScript's own lib files only: a fixed pattern of names, read once.
  #lib(name: string): ts.IScriptSnapshot | undefined {
    if (!LIB_NAME.test(name)) return undefined;
    let snapshot = this.#libs.get(name);
    if (snapshot) return snapshot;
    const text = this.#libText(name);
    if (text === undefined) return undefined;
    snapshot = ts.ScriptSnapshot.fromString(text);
    this.#libs.set(name, snapshot);
    return snapshot;
  }

  #libText(name: string): string | undefined {
    if (!LIB_NAME.test(name)) return undefined;
    try {
      return Deno.readTextFileSync(`${this.#libDir}${name}`);
    } catch {
      return undefined;
    }
  }
}

// Where TypeScript's package keeps its lib files.
function libDirectory(): string {
  const path = ts.getDefaultLibFilePath(OPTIONS);
  return path.slice(0, path.lastIndexOf("/"));
}

function describe(d: ts.Diagnostic, source: ts.SourceFile | undefined): TypeDiagnostic {
  let message = ts.flattenDiagnosticMessageText(d.messageText, "\n").replace(/\s*\n\s*/g, " ")
    .replaceAll("__codemode_script", "the script");
  if (message.length > MAX_DIAGNOSTIC_CHARS) message = message.slice(0, MAX_DIAGNOSTIC_CHARS) + "…";
  if (d.file === undefined || d.start === undefined || source === undefined) {
    return { line: 1, column: 1, code: d.code, message };
  }
  const at = source.getLineAndCharacterOfPosition(d.start);
  const line = Math.max(1, at.line - PREFIX_LINES + 1);
  const node = innermost(source, d.start);
  const call = toolCall(node);
  const field = call && inputField(node, call.node, message);
  return {
    line,
    column: at.character + 1,
    code: d.code,
    message,
    ...(call ? { tool: call.tool } : {}),
    ...(field ? { field } : {}),
  };
}

function innermost(node: ts.Node, position: number): ts.Node {
  const child = node.forEachChild((c) => c.getStart() <= position && position < c.getEnd() ? c : undefined);
  return child ? innermost(child, position) : node;
}

// The nearest enclosing call of `tools.a.b(...)` (or `tools["a"].b(...)`).
function toolCall(node: ts.Node): { tool: string; node: ts.CallExpression } | undefined {
  for (let at: ts.Node | undefined = node; at; at = at.parent) {
    if (!ts.isCallExpression(at)) continue;
    const path = accessPath(at.expression);
    if (path && path[0] === "tools" && path.length > 1) return { tool: path.slice(1).join("."), node: at };
  }
  return undefined;
}

function accessPath(e: ts.Expression): string[] | undefined {
  if (ts.isIdentifier(e)) return [e.text];
  if (ts.isPropertyAccessExpression(e)) {
    const base = accessPath(e.expression);
    return base && [...base, e.name.text];
  }
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
    const base = accessPath(e.expression);
    return base && [...base, e.argumentExpression.text];
  }
  return undefined;
}

// The field of the call's input object the diagnostic is at: the property
// names from the argument down to it, and a property the message says is
// missing.
function inputField(node: ts.Node, call: ts.CallExpression, message: string): string | undefined {
  const names: string[] = [];
  for (let at: ts.Node | undefined = node; at && at !== call; at = at.parent) {
    if ((ts.isPropertyAssignment(at) || ts.isShorthandPropertyAssignment(at)) && at.name) {
      const name = propertyName(at.name);
      if (name !== undefined) names.unshift(name);
    }
  }
  const missing = /Property '([^']+)' is missing in type/.exec(message)?.[1];
  if (missing) names.push(missing);
  return names.length > 0 ? names.join(".") : undefined;
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}
