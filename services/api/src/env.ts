/**
 * The api Worker's `env`, derived from its declaration (`../service.ts`): one property per binding, typed by
 * its kind, with `COUNTER` typed by the `Counter` class and `EXPORTS` by the params of the `NotesExport` class
 * this entry module exports, and `NOTE_EVENTS` by the queue's message schema (`../events.ts`). Values of the
 * `var`/`secret` bindings are untrusted strings until checked against the env contract (`../contract.ts`).
 */
import type { ConfigOf, EnvOf } from "../../../components/service/envOf";
import type declaration from "../service";

/** Bindings of the api Worker (see the docstrings of `../service.ts`). */
export type Env = EnvOf<typeof declaration, { classes: typeof import("./index") }>;

/** The env contract's keys after validation. */
export type ApiConfig = ConfigOf<typeof declaration>;
