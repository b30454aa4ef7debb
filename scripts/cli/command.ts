// What every command in scripts/*.ts shares, so that each command file is thin
// (parse, call a library, print, exit): its arguments parsed by node:util's
// parseArgs (a built-in, rather than a parser of our own), --help, and one exit
// convention for all of them:
//
//   0  done (or the check holds)
//   1  the check failed (the command's own result, or an error of a kind the
//      command names with status 1)
//   2  bad usage ("<name>: usage: <why>", one line naming the argument) or bad
//      input ("<name>: error: <why>", one line naming where and why)
//
// An error is always one line on stderr, never a stack trace: CLI_DEBUG=1 adds
// the stack for a bug hunt. This folder imports nothing else of the repository
// (.dependency-cruiser.cjs, rule cli-helper-stands-alone).
//
//   command(import.meta.url, {
//     name: "view",
//     help: HELP,
//     options: { out: { type: "string" } },
//     positionals: true,
//     errors: [{ type: TlcSetupError, label: "TLC setup" }],
//     run: async ({ values, positionals }) => { ...; return 0; },
//   });

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake in the command line: reported as "<name>: usage: <message>", exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Input the command cannot use (a file, a value in it): "<name>: error: <message>", exit 2. */
export class InputError extends Error {
  override name = "InputError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type WithHelp<O extends Options> = O & { help: { type: "boolean"; short: "h" } };
/** What parseArgs gives a command: its typed option values and the positional arguments. */
export type Args<O extends Options> = ReturnType<typeof parseArgs<{ options: WithHelp<O>; allowPositionals: true; strict: true }>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor of an Error
type ErrorClass = abstract new (...args: any[]) => Error;

/** An error class the command knows: how it is labelled in its one line, and its exit status. */
export interface KnownError {
  type: ErrorClass;
  /** "<name>: <label>: <message>"; "" for "<name>: <message>". Default "error". */
  label?: string;
  /** 2 (bad input; the default) or 1 (the check failed). */
  status?: 1 | 2;
}

export interface Command<O extends Options> {
  /** As the error lines name it: "tlc", "bench:net". */
  name: string;
  /** Printed on stdout by --help / -h (exit 0). */
  help: string;
  /** parseArgs options; --help is added. Strict: an unknown option is bad usage. */
  options?: O;
  /** Whether the command takes positional arguments (default: none). */
  positionals?: boolean;
  /**
   * Error classes reported otherwise than "<name>: error: <message>", exit 2 (how
   * any other error is reported): another label, or exit 1 for a failed check.
   * Checked in order.
   */
  errors?: readonly KnownError[];
  /**
   * Exit with process.exit as soon as run() returns, for a command whose open
   * handles (sockets, child processes, stdin) would otherwise keep Node running.
   * Default: set process.exitCode and let Node finish writing.
   */
  exitWhenDone?: boolean;
  /** The command itself: returns its exit status. */
  run(args: Args<O>): number | Promise<number>;
}

/** An error's message as one line: the continuation lines some messages carry (parseArgs', TLC's) folded in. */
export const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ").trim();

/** parseArgs reports an unknown or incomplete option as a TypeError with an ERR_PARSE_ARGS_* code. */
const isParseError = (e: unknown): e is Error => e instanceof TypeError && String((e as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS");

/** The one line and exit status for an error a command's run() threw. */
export function report(name: string, e: unknown, known: readonly KnownError[] = []): { line: string; status: 1 | 2 } {
  const message = oneLine(e);
  if (e instanceof UsageError || isParseError(e)) return { line: `${name}: usage: ${message}`, status: 2 };
  const kind = known.find((k) => e instanceof k.type);
  const label = kind?.label ?? "error";
  return { line: label ? `${name}: ${label}: ${message}` : `${name}: ${message}`, status: kind?.status ?? 2 };
}

/** Parses the arguments (strict parseArgs plus --help); throws a UsageError naming the bad argument. */
export function parse<O extends Options>(cmd: Pick<Command<O>, "options" | "positionals">, argv: string[]): Args<O> {
  const options = { ...cmd.options, help: { type: "boolean", short: "h" } } as WithHelp<O>;
  const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (!cmd.positionals && parsed.positionals.length > 0 && !(parsed.values as { help?: boolean }).help) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])} (this command takes options only)`);
  }
  return parsed as Args<O>;
}

/** True when `moduleUrl` is the script node was started with (not a module a test imported). */
export const isMain = (moduleUrl: string) => process.argv[1] !== undefined && moduleUrl === pathToFileURL(resolve(process.argv[1])).href;

/**
 * Runs the command when its module is the script node started (pass
 * import.meta.url); a module imported by a test is left alone. Returns the exit
 * status (undefined when not run).
 */
export async function command<const O extends Options = Record<never, never>>(moduleUrl: string, cmd: Command<O>, argv = process.argv.slice(2)): Promise<number | undefined> {
  if (!isMain(moduleUrl)) return undefined;
  let status: number;
  try {
    const args = parse(cmd, argv);
    if ((args.values as { help?: boolean }).help) {
      process.stdout.write(`${cmd.help.trimEnd()}\n`);
      status = 0;
    } else status = await cmd.run(args);
  } catch (e) {
    const { line, status: s } = report(cmd.name, e, cmd.errors);
    process.stderr.write(`${line}\n`);
    if (process.env.CLI_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    status = s;
  }
  if (cmd.exitWhenDone) {
    // Let what is written reach a pipe before the process ends.
    await new Promise<void>((done) => process.stdout.write("", () => process.stderr.write("", () => done())));
    process.exit(status);
  }
  process.exitCode = status;
  return status;
}

/**
 * An integer option: `fallback` when absent (or a UsageError naming the option
 * when there is none), else a whole number in min..max.
 */
export function integer(option: string, text: string | undefined, range: { min: number; max: number; fallback?: number }): number {
  if (text === undefined) {
    if (range.fallback === undefined) throw new UsageError(`${option} is required`);
    return range.fallback;
  }
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`${option} must be an integer from ${range.min} to ${range.max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A required option's value, or a UsageError naming it. */
export function required(option: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(`${option} is required`);
  return value;
}

/** `value` if it is one of `allowed` (or `fallback` when absent), else a UsageError naming the option and listing what it takes. */
export function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[], what: string, fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option}: unknown ${what} ${JSON.stringify(value ?? "")} (known: ${allowed.join(", ")})`);
}
