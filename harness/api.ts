/**
 * faultline's harness as a library (`import … from 'faultline'`): define a test, register your own targets and
 * workloads, run it, and read the verdict. What is not exported here is internal and may change.
 */
export { builtinRegistry } from './builtins.js';
export { parseDefinition, replayCommand, type TestDefinition, type TestDefinitionInput } from './config/index.js';
export { loadPlugin, registryWith } from './plugins.js';
export { Registry, type Plugin } from './registry.js';
export { runTest, type RunOptions, type RunOutcome, type RunProgress } from './run.js';
export type { Client, ClientOp, Completion } from './runtime.js';
export type { ClusterView, ContainerContext, ContainerSpec, DockerTarget, TargetSession } from './runtimes/docker/target.js';
export type { ImageFlavour, ImageRole, ImageRoles } from './runtimes/docker/image-roles.js';
export type { SimTarget } from './runtimes/sim/target.js';
export type { RequestTransport } from './transport.js';
export type { OptionSpec, OptionSpecs, TargetInfo } from './target.js';
export type { DurableStorage, NodeContext, NodeFactory, NodeProgram } from './node.js';
export type { Workload } from '../workloads/workload.js';
