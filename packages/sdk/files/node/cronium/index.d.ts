export declare class CroniumError extends Error {
  status: number | null;
  code: string | null;
}
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface EventContext {
  event: {
    id: number;
    name: string;
    type: 'bash' | 'python' | 'node' | 'http' | 'tool';
    tags: string[];
  };
  run: {
    id: number;
    attempt: number;
    trigger: 'schedule' | 'manual' | 'webhook' | 'workflow' | 'retry' | 'action';
    scheduledFor: string | null;
    inputSize: number;
  };
  userId: number;
  server: {
    id: number;
    name: string;
    host: string;
  } | null;
  workflow: {
    id: number;
    runId: number;
    node: string;
    input: unknown;
  } | null;
}
/** How a tool action went: the same shape in every SDK. */
export type ToolResult =
  | { ok: true; status?: number; detail: string }
  | { ok: false; error: string; retryable: boolean; retryAfterMs?: number; status?: number };
declare const cronium: {
  CroniumError: typeof CroniumError;
  getInput(): Promise<Json>;
  setOutput(value: Json): Promise<void>;
  getVariable(key: string): Promise<string | null>;
  setVariable(key: string, value: Json): Promise<void>;
  getCondition(): Promise<boolean | null>;
  setCondition(condition: boolean): Promise<void>;
  getEventContext(): Promise<EventContext>;
  executeToolAction(tool: string, params: { [key: string]: Json }): Promise<ToolResult>;
};
export default cronium;
