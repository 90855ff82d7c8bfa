/**
 * Source maps of stack traces in the offline plan's process. tsx turns Node's source-map support on, so every
 * stack trace is mapped back to the TypeScript sources; the Pulumi SDK captures a stack trace for every Output
 * promise (`runtime/debuggable.js`) and every resource (its callsites), and mapping those made up about 0.2 s
 * of the staging plan's 2.1 s on a 2-core machine (`npm run bench`, main job). Importing this module turns the
 * support off ({@link disableSourceMapsUnlessRequested}) before the SDK loads, unless the user asked for it with
 * Node's own flag. Without it, the trace file of an unexpected failure (`./cli.ts`) shows the same files at the
 * positions of tsx's transpiled code, and says how to get TypeScript positions.
 *
 * Node: https://nodejs.org/docs/latest-v20.x/api/process.html#processsetsourcemapsenabledval ,
 * https://nodejs.org/docs/latest-v20.x/api/cli.html#--enable-source-maps
 */

/** Node's flag that asks for source-mapped stack traces, on the command line or in `NODE_OPTIONS`. */
const SOURCE_MAPS_FLAG = "--enable-source-maps";

/**
 * Turns Node's source-map support off for this process unless {@link SOURCE_MAPS_FLAG} is among Node's
 * arguments or in `NODE_OPTIONS`. Modules loaded afterwards are not registered for mapping.
 * @returns whether stack traces are source-mapped from now on.
 */
function disableSourceMapsUnlessRequested(
    execArgv: readonly string[] = process.execArgv,
    nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): boolean {
    const requested = execArgv.includes(SOURCE_MAPS_FLAG) || nodeOptions.split(/\s+/).includes(SOURCE_MAPS_FLAG);
    if (!requested) process.setSourceMapsEnabled(false);
    return requested;
}

disableSourceMapsUnlessRequested();
