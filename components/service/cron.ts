/**
 * Cron expressions as Cloudflare Cron Triggers accept them: five space-separated fields
 * (minute, hour, day of month, month, day of week), with `*`, lists, ranges, steps, month and weekday
 * names, and the `L`, `W` and `#` extensions.
 * Source: https://developers.cloudflare.com/workers/configuration/cron-triggers/#supported-cron-expressions
 */

const FIELD_NAMES = ["minute", "hour", "day of month", "month", "day of week"] as const;
/** Inclusive numeric range of each field, in the order of {@link FIELD_NAMES}. */
const FIELD_RANGES: readonly (readonly [number, number])[] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/**
 * Checks one cron expression.
 * @returns `undefined` when valid, otherwise a sentence saying which field is wrong and why.
 */
export function cronProblem(expression: string): string | undefined {
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== 5) {
        return `expected 5 space-separated fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
    }
    for (let i = 0; i < 5; i++) {
        const problem = fieldProblem(fields[i]!, i);
        if (problem !== undefined) {
            return `${FIELD_NAMES[i]} field "${fields[i]}": ${problem}`;
        }
    }
    return undefined;
}

function fieldProblem(field: string, index: number): string | undefined {
    const [min, max] = FIELD_RANGES[index]!;
    for (const part of field.split(",")) {
        const [range, step, ...rest] = part.split("/");
        if (rest.length > 0 || range === undefined || range === "") {
            return "malformed list element";
        }
        if (step !== undefined && !/^\d+$/.test(step)) {
            return `step "${step}" must be a positive integer`;
        }
        if (range === "*" || range === "?") {
            continue;
        }
        // Extensions: L (last day), nW (nearest weekday), n#k (k-th weekday), nL (last weekday n).
        if (index === 2 && /^(L|LW|\d{1,2}W)$/.test(range)) {
            continue;
        }
        if (index === 4 && /^([0-7]|[A-Z]{3})(#[1-5]|L)$/i.test(range)) {
            continue;
        }
        const bounds = range.split("-");
        if (bounds.length > 2) {
            return `malformed range "${range}"`;
        }
        for (const bound of bounds) {
            const value = parseValue(bound, index);
            if (value === undefined) {
                return `"${bound}" is not a number or name`;
            }
            if (value < min || value > max) {
                return `${value} is outside ${min}-${max}`;
            }
        }
    }
    return undefined;
}

function parseValue(text: string, index: number): number | undefined {
    if (/^\d+$/.test(text)) {
        return Number(text);
    }
    const upper = text.toUpperCase();
    if (index === 3 && MONTHS.includes(upper)) {
        return MONTHS.indexOf(upper) + 1;
    }
    if (index === 4 && WEEKDAYS.includes(upper)) {
        return WEEKDAYS.indexOf(upper);
    }
    return undefined;
}
