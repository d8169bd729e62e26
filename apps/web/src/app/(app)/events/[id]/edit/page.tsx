'use client';
import { useParams } from 'next/navigation';
import { DataState, PageHeader } from '../../../../../ui/components.tsx';
import { EventForm } from '../../../../../ui/forms/event-form.tsx';
import type { EventItem } from '../../../../../ui/types.ts';
import { useResource } from '../../../../../ui/use-resource.ts';

export default function EditEventPage() {
  const { id } = useParams<{ id: string }>();
  const event = useResource<EventItem>(`/events/${id}`);
  return (
    <>
      <PageHeader title={event.data ? `Edit ${event.data.name}` : 'Edit event'} />
      <DataState loading={event.loading} error={event.error} hasData={!!event.data}>
        {event.data ? <EventForm event={event.data} /> : null}
      </DataState>
    </>
  );
}
