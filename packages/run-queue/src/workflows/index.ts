export {
  advanceWorkflowRuns,
  nodeStateOf,
  type EndedNode,
  type WorkflowRunEnd,
} from './advance-workflow-runs.ts';
export {
  startWorkflowRun,
  startWorkflowRunIn,
  readWorkflowGraph,
  isWorkflowIdempotencyConflict,
  findWorkflowRunByIdempotencyKey,
  WorkflowNotFoundError,
  MAX_WORKFLOW_DEPTH,
  type StartWorkflowRequest,
  type StartWorkflowResult,
} from './start-workflow-run.ts';
export { cancelWorkflowRun, timeOutWorkflowRuns } from './cancel-workflow-run.ts';
export {
  claimToolNodes,
  finishToolNode,
  type ClaimedToolNode,
  type ToolNodeEnd,
  type ToolNodeFence,
} from './tool-nodes.ts';
export { rerunWorkflowRun, WorkflowRunNotFoundError } from './rerun-workflow-run.ts';
export {
  edgeFires,
  resolveWorkflow,
  nodeInput,
  workflowOutcome,
  reusableNodes,
  type WorkflowGraph,
  type GraphNode,
  type GraphEdge,
  type NodeStatus,
} from './workflow-graph.ts';
