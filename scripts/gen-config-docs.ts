/**
 * Prints the configuration reference (markdown) generated from the parameter registry, for the README:
 *   node --import tsx scripts/gen-config-docs.ts > docs/configuration.md
 */
import { renderConfigReference } from '../server/engine/config/docs';

process.stdout.write(renderConfigReference());
