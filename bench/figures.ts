/**
 * What `npm run bench` records: figures (`bench/results.json` `figures`), their medians, and the targets they are
 * checked against (`metadata.targets`).
 */

/** One recorded figure. */
export interface Figure {
    /** Dotted name: `<group>.<figure>`, prefixed `before.` / `after.` when a baseline tree is measured too. */
    readonly name: string;
    readonly value: number;
    /** `ms`, `MB` (MiB), `x` (a ratio), `bool` (1 or 0), `resources`, ... */
    readonly unit: string;
    /** Every run's value, for figures that summarize several runs. */
    readonly samples?: readonly number[];
}

/** A target of the issue: the figure it reads, the bound, and whether the measured value meets it. */
export interface Target {
    /** The figure checked (its name in `figures`). */
    readonly figure: string;
    /** What must hold, in words (`≤ 1.5`). */
    readonly rule: string;
    /** The measured value; undefined when the figure could not be measured (then `met` is false). */
    readonly value: number | undefined;
    readonly met: boolean;
}

/** A figure summarizing `samples` by their median. */
export function medianFigure(name: string, samples: readonly number[], unit: string, digits = 1): Figure {
    return { name, value: round(median(samples), digits), unit, samples: samples.map((s) => round(s, digits)) };
}

/** Checks `value` (undefined: not measured) against `bound` with `≤` (`at most`) or `≥` (`at least`). */
export function target(figure: string, value: number | undefined, kind: "at most" | "at least", bound: number): Target {
    const met = value !== undefined && (kind === "at most" ? value <= bound : value >= bound);
    return { figure, rule: `${kind === "at most" ? "≤" : "≥"} ${bound}`, value, met };
}

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits = 1): number {
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}

/** `figures` with every name prefixed by `prefix` (`before.`), or unchanged for `""`. */
export function prefixed(prefix: string, figures: readonly Figure[]): Figure[] {
    return prefix === "" ? [...figures] : figures.map((f) => ({ ...f, name: `${prefix}${f.name}` }));
}
