'use client';
import { Alert, Text, type AlertProps } from '@mantine/core';

/**
 * Why a run, a workflow run or a node failed: the error as the server wrote it (its line
 * breaks kept), in a red "Error" box unless told otherwise.
 */
export function ErrorAlert({ error, ...props }: { error: string } & Omit<AlertProps, 'children'>) {
  return (
    <Alert color="red" title="Error" {...props}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {error}
      </Text>
    </Alert>
  );
}
