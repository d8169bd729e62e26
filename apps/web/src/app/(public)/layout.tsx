import type { ReactNode } from 'react';
import { Box, Center, Stack, Text, Title } from '@mantine/core';

/** Pages for people who are not signed in: a centred card with the product's name. */
export default function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Stack w="100%" maw={420} gap="lg">
        <Box ta="center">
          <Title order={1}>Cronium</Title>
          <Text c="dimmed" size="sm">
            Schedule and run scripts, HTTP requests and tool actions.
          </Text>
        </Box>
        {children}
      </Stack>
    </Center>
  );
}
