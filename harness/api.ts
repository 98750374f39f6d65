/**
 * faultline's harness as a library (`import … from 'faultline'`): define a test, register your own targets and
 * workloads and checkers, run it, and read the verdict and the report. What is not exported here is internal and may change.
 */
export { builtinRegistry } from './builtins.js';
export {
  parseDefinition,
  replayCommand,
  type ExternalNode,
  type FaultMethods,
  type SecretRef,
  type SshSettings,
  type TestDefinition,
  type TestDefinitionInput,
} from './config/index.js';
export { loadPlugin, registryWith } from './plugins.js';
export { Registry, type Plugin } from './registry.js';
export { type RunOptions, type RunOutcome, type RunProgress } from './run.js';
export type { FinishedRun, Reporter, StoppedRun } from './reporter.js';
export { stoppedRunOf, type StoppedRunRef } from './stopped-record.js';
export { DEFAULT_REPORTERS, htmlReport, storeIndex } from '../reports/reporters.js';
export { runTest } from './run-with-reports.js';
export type { Client, ClientOp, Completion } from './runtime.js';
export { checkObservations, type Figure, type Observations } from './observations.js';
export type { ClusterView, ContainerContext, ContainerSpec, DockerTarget, TargetSession } from './runtimes/docker/target.js';
export type { ImageFlavour, ImageRole, ImageRoles } from './runtimes/docker/image-roles.js';
export type { SimMembership, SimTarget } from './runtimes/sim/target.js';
export type { RequestTransport } from './transport.js';
export type { OptionSpec, OptionSpecs, TargetInfo } from './target.js';
export type { DurableStorage, NodeContext, NodeFactory, NodeProgram } from './node.js';
export type { Workload } from '../workloads/workload.js';
export { nodesFromCompose, nodesFromContainers, type ContainerNodesOptions } from './runtimes/external/container/nodes.js';
export type { ExecHook, FaultMethodSpec } from './config/cluster-spec.js';
export type { ExternalSupport, NodeCredentials } from './runtimes/docker/target.js';
