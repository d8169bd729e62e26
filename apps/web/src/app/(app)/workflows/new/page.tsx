'use client';
import { PageHeader } from '../../../../ui/components.tsx';
import { WorkflowEditor } from '../../../../ui/workflows/workflow-editor.tsx';

export default function NewWorkflowPage() {
  return (
    <>
      <PageHeader
        title="New workflow"
        description="Nodes that run your events, and edges that say what runs after what"
      />
      <WorkflowEditor />
    </>
  );
}
