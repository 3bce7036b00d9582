export { DEFAULTS, QUICK, parseChaosArgs, type ChaosOptions } from './options.js';
export { formatReport } from './report.js';
export { runChaos, type ChaosReport } from './run-chaos.js';
