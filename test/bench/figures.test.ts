import { describe, expect, it } from "vitest";
import { median, medianFigure, prefixed, round, target } from "../../bench/figures";

describe("bench figures", () => {
    it("takes the middle value, or the mean of the middle two", () => {
        expect(median([5, 1, 3])).toBe(3);
        expect(median([4, 1, 3, 2])).toBe(2.5);
        expect(median([])).toBeNaN();
    });

    it("summarizes samples by their median and keeps every sample, rounded", () => {
        expect(medianFigure("mainJob.endToEnd.withPolicies", [1200.04, 1000.06, 1100.01], "ms")).toEqual({
            name: "mainJob.endToEnd.withPolicies", value: 1100, unit: "ms", samples: [1200, 1000.1, 1100],
        });
        expect(round(1.23456, 3)).toBe(1.235);
    });

    it("checks a bound from above or below, and counts an unmeasured figure as missed", () => {
        expect(target("ratio", 1.5, "at most", 1.5)).toEqual({ figure: "ratio", rule: "≤ 1.5", value: 1.5, met: true });
        expect(target("ratio", 1.51, "at most", 1.5).met).toBe(false);
        expect(target("speedup", 2.9, "at least", 3)).toEqual({ figure: "speedup", rule: "≥ 3", value: 2.9, met: false });
        expect(target("speedup", undefined, "at least", 3)).toEqual({ figure: "speedup", rule: "≥ 3", value: undefined, met: false });
    });

    it("prefixes names for the trees of a before/after run, and leaves them alone without a baseline", () => {
        const figures = [{ name: "a.b", value: 1, unit: "ms" }];
        expect(prefixed("before.", figures).map((f) => f.name)).toEqual(["before.a.b"]);
        expect(prefixed("", figures)).toEqual(figures);
    });
});
