'use client';
import { PageHeader } from '../../../../ui/components.tsx';
import { EventForm } from '../../../../ui/forms/event-form.tsx';

export default function NewEventPage() {
  return (
    <>
      <PageHeader
        title="New event"
        description="A script, an HTTP request or a tool action, and when to run it"
      />
      <EventForm />
    </>
  );
}
