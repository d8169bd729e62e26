'use client';
import { useParams } from 'next/navigation';
import { DataState, PageHeader } from '../../../../../ui/components.tsx';
import type { Workflow } from '../../../../../ui/types.ts';
import { useResource } from '../../../../../ui/use-resource.ts';
import { WorkflowEditor } from '../../../../../ui/workflows/workflow-editor.tsx';

export default function EditWorkflowPage() {
  const { id } = useParams<{ id: string }>();
  const workflow = useResource<Workflow>(`/workflows/${id}`);
  return (
    <>
      <PageHeader title={workflow.data ? `Edit ${workflow.data.name}` : 'Edit workflow'} />
      <DataState
        loading={workflow.loading}
        error={workflow.error}
        hasData={!!workflow.data}
        onRetry={workflow.reload}
      >
        {workflow.data ? <WorkflowEditor workflow={workflow.data} /> : null}
      </DataState>
    </>
  );
}
