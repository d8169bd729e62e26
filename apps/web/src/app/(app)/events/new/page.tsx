'use client';
import { PageHeader } from '../../../../ui/components.tsx';
import { EventForm } from '../../../../ui/forms/event-form.tsx';

export default function NewEventPage() {
  return (
    <>
      <PageHeader title="New event" description="A script or an HTTP request, and when to run it" />
      <EventForm />
    </>
  );
}
