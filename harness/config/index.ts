export * from './definition.js';
export type { ExecHook, ExternalNode, FaultMethods, FaultMethodSpec, SecretRef, SshSettings } from './cluster-spec.js';
export { externalFaultKinds, formatExternalNodes, HOOK_PLACEHOLDERS, METHOD_CANNOT, methodFor, parseAddress } from './external.js';
export { RUN_FLAGS, collectFlag, flagsToFields, flagFor, type CliFlags, type RunFlag, type RunFlagKey, type RunFlagValues } from './flags.js';
export { configError, formatPath } from './issues.js';
export { loadDefinition, mergeDefinition, parseDefinition, pluginPaths, parseDefinitionText, formatOf, type ConfigFormat, type DefinitionFile } from './load.js';
export { replayArgs, replayCommand, shellQuote } from './replay.js';
