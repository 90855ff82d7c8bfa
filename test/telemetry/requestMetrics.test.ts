/**
 * Request metrics of the runtime library (components/telemetry/requestMetrics.ts): the data point layout the
 * SQL API reads by position (docs/monitoring.md), status classes, durations, and a failing write.
 */
import { describe, expect, it } from "vitest";
import { requestDataPoint, statusClass, writeRequestMetrics, type DataPoint, type RequestSample } from "../../components/telemetry/requestMetrics";

const sample: RequestSample = {
    route: "/api/notes/:id", method: "GET", status: 404, durationMs: 12, versionId: "0d6e1d3c-1f0a-4c55-9f5e-0b1c2d3e4f50", service: "api",
};

describe("requestDataPoint", () => {
    it("lays the request out as index1 = route; blob1..5 = route, status class, version id, method, service; double1..3 = 1, status, duration", () => {
        expect(requestDataPoint(sample)).toEqual({
            indexes: ["/api/notes/:id"],
            blobs: ["/api/notes/:id", "4xx", "0d6e1d3c-1f0a-4c55-9f5e-0b1c2d3e4f50", "GET", "api"],
            doubles: [1, 404, 12],
        });
    });

    it("cuts the index to 96 bytes of UTF-8 without splitting a character, and keeps the whole route in blob1", () => {
        const route = `/api/${"é".repeat(60)}`;
        const point = requestDataPoint({ ...sample, route });
        expect(new TextEncoder().encode(point.indexes[0]).length).toBe(95);
        expect(point.indexes[0]).toBe(`/api/${"é".repeat(45)}`);
        expect(point.blobs[0]).toBe(route);
    });

    it("never records a negative duration", () => {
        expect(requestDataPoint({ ...sample, durationMs: -3 }).doubles[2]).toBe(0);
    });
});

describe("statusClass", () => {
    it("is the first digit of the status followed by xx", () => {
        expect([100, 199, 200, 204, 301, 399, 400, 429, 500, 503, 599].map(statusClass))
            .toEqual(["1xx", "1xx", "2xx", "2xx", "3xx", "3xx", "4xx", "4xx", "5xx", "5xx", "5xx"]);
    });

    it("refuses what is not an HTTP status", () => {
        for (const status of [99, 600, 200.5, Number.NaN]) expect(() => statusClass(status)).toThrow(RangeError);
    });
});

describe("writeRequestMetrics", () => {
    it("writes exactly one data point and returns it", () => {
        const written: DataPoint[] = [];
        const result = writeRequestMetrics({ writeDataPoint: (point) => { written.push(point); } }, sample);
        expect(written).toEqual([requestDataPoint(sample)]);
        expect(result).toEqual({ point: requestDataPoint(sample) });
    });

    it("returns the error of a failing write instead of throwing", () => {
        const failure = new Error("dataset unavailable");
        expect(writeRequestMetrics({ writeDataPoint: () => { throw failure; } }, sample)).toEqual({ error: failure });
    });

    it("writes nothing and returns the error for a status no class fits (Response.error() has status 0)", () => {
        const written: DataPoint[] = [];
        const result = writeRequestMetrics({ writeDataPoint: (point) => { written.push(point); } }, { ...sample, status: 0 });
        expect(written).toEqual([]);
        expect(result).toEqual({ error: new RangeError("expected an HTTP status from 100 to 599, got 0") });
    });
});
