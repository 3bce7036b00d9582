export { DEFAULTS, QUICK, parseChaosArgs, type ChaosOptions } from './options.js';
export { formatReport, type ChaosReport } from './report.js';
export { runChaos } from './run-chaos.js';
