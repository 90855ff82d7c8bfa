/**
 * The part of Cloudflare's GraphQL Analytics API that Workers metrics use, for local stand-ins: queries are
 * parsed and validated by graphql-js against the schema below, so a misspelt dataset, field, filter key or
 * variable type is answered with GraphQL `errors`, as the real API does, and never silently with data.
 *
 * The schema is the documented subset: `viewer.accounts(filter: { accountTag })`, dataset
 * `workersInvocationsAdaptive(limit, filter, orderBy)` with `sum { requests errors subrequests }`,
 * `quantiles { cpuTimeP50 cpuTimeP99 }`, `dimensions { datetime scriptName status }` and the filter keys
 * `scriptName`, `datetime_geq`, `datetime_leq` from the tutorial
 * (https://developers.cloudflare.com/analytics/graphql-api/tutorials/querying-workers-metrics/), plus the names
 * the schema itself lists for the same dataset (introspection,
 * https://developers.cloudflare.com/analytics/graphql-api/features/discovery/introspection/): the
 * `scriptVersion` dimension and filter, the `wallTimeP50/P75/P95/P99` and `cpuTimeP75/P95` quantiles
 * (microseconds), `datetime_lt` / `datetime_gt`. Scalars keep the API's names: `string`, `Time` (ISO 8601).
 * https://developers.cloudflare.com/analytics/graphql-api/
 */
import { buildSchema, graphql, Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/** The stand-in schema (SDL). */
export const WORKERS_ANALYTICS_SDL = `
scalar string
scalar Time

type Query { viewer: Viewer! }
type Viewer { accounts(filter: AccountFilter!): [Account!]! }
input AccountFilter { accountTag: string! }

type Account {
  workersInvocationsAdaptive(limit: Int!, filter: WorkersInvocationsAdaptiveFilter!, orderBy: [string!]): [WorkersInvocationsAdaptiveGroup!]!
}
input WorkersInvocationsAdaptiveFilter {
  scriptName: string
  scriptVersion: string
  status: string
  datetime_geq: Time
  datetime_leq: Time
  datetime_gt: Time
  datetime_lt: Time
}
type WorkersInvocationsAdaptiveGroup {
  dimensions: WorkersInvocationsAdaptiveDimensions
  sum: WorkersInvocationsAdaptiveSum
  quantiles: WorkersInvocationsAdaptiveQuantiles
}
type WorkersInvocationsAdaptiveDimensions { datetime: Time scriptName: string scriptVersion: string status: string }
type WorkersInvocationsAdaptiveSum { requests: Int errors: Int subrequests: Int }
type WorkersInvocationsAdaptiveQuantiles {
  cpuTimeP50: Float cpuTimeP75: Float cpuTimeP95: Float cpuTimeP99: Float
  wallTimeP50: Float wallTimeP75: Float wallTimeP95: Float wallTimeP99: Float
}
`;

const schema = buildSchema(WORKERS_ANALYTICS_SDL);

/** One `workersInvocationsAdaptive` query as the stand-in saw it. */
export interface AdaptiveQuery {
    readonly accountTag: string;
    readonly limit: number;
    /** The filter object, keys as sent (`scriptName`, `datetime_geq`, ...). */
    readonly filter: Readonly<Record<string, string>>;
    /** Dimensions requested (the grouping), in query order. */
    readonly dimensions: readonly string[];
    /** Fields requested under `sum` and `quantiles`. */
    readonly sum: readonly string[];
    readonly quantiles: readonly string[];
}

/** One group the stand-in answers: a version's figures. */
export interface AdaptiveRow {
    readonly dimensions: Readonly<Record<string, string>>;
    readonly sum: Readonly<Record<string, number>>;
    readonly quantiles: Readonly<Record<string, number | null>>;
}

/**
 * Executes a GraphQL request body (`{ query, variables }`) against the schema; `rows` answers each
 * `workersInvocationsAdaptive` selection. Invalid queries get `{ errors }` without `data`.
 */
export async function executeWorkersAnalytics(body: unknown, rows: (query: AdaptiveQuery) => readonly AdaptiveRow[]): Promise<{ data?: unknown; errors?: { message: string }[] }> {
    const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
    if (typeof query !== "string") return { errors: [{ message: "expected a JSON body with a query string" }] };
    const rootValue = {
        viewer: {
            accounts: ({ filter }: { filter: { accountTag: string } }) => [{
                workersInvocationsAdaptive: (args: { limit: number; filter: Record<string, string> }, _context: unknown, info: GraphQLResolveInfo) => rows({
                    accountTag: filter.accountTag,
                    limit: args.limit,
                    filter: { ...args.filter },
                    dimensions: fieldsUnder(info, "dimensions"),
                    sum: fieldsUnder(info, "sum"),
                    quantiles: fieldsUnder(info, "quantiles"),
                }),
            }],
        },
    };
    const result = await graphql({ schema, source: query, rootValue, ...(variables === undefined ? {} : { variableValues: variables }) });
    return result.errors === undefined
        ? { data: result.data }
        : { ...(result.data === undefined ? {} : { data: result.data }), errors: result.errors.map((e) => ({ message: e.message })) };
}

/** Names of the fields selected under `field` of the resolved selection. */
function fieldsUnder(info: GraphQLResolveInfo, field: string): string[] {
    const names: string[] = [];
    const visit = (set: SelectionSetNode | undefined, inside: boolean) => {
        for (const selection of set?.selections ?? []) {
            if (selection.kind !== Kind.FIELD) continue;
            if (inside) names.push(selection.name.value);
            else if (selection.name.value === field) visit(selection.selectionSet, true);
        }
    };
    for (const node of info.fieldNodes) visit(node.selectionSet, false);
    return names;
}
