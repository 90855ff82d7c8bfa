/**
 * How services are listed for a stack: each declaration with the directory its paths resolve from.
 */
import type { ServiceDeclaration } from "../components/service/declaration";

/** One registered service. */
export interface ServiceEntry {
    /** The validated declaration (`defineService`). */
    readonly declaration: ServiceDeclaration;
    /** Absolute path of the service directory (where `main` and `migrationsDir` resolve from). */
    readonly root: string;
}
