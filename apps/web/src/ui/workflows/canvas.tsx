'use client';
import dynamic from 'next/dynamic';
import { Skeleton } from '@mantine/core';
import type { WorkflowCanvasProps } from './workflow-canvas.tsx';

/**
 * The canvas, loaded when a page draws a graph: React Flow and its styles are in their own
 * chunk, so the other pages' JavaScript does not grow.
 */
export const WorkflowCanvas = dynamic<WorkflowCanvasProps>(() => import('./workflow-canvas.tsx'), {
  ssr: false,
  loading: () => <Skeleton height={360} aria-label="Loading the graph" />,
});
