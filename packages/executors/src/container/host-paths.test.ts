import { containerIdFromMountInfo, hostPathsFrom } from './host-paths.ts';

const ID = 'a'.repeat(20) + '0123456789abcdef'.repeat(2) + 'b'.repeat(12);

describe('host paths of a process in a container', () => {
  it('reads the container id from the hostname mount in /proc/self/mountinfo', () => {
    const mountInfo = [
      '600 500 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X',
      `612 600 8:1 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/sda1 rw`,
      `613 600 8:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw`,
    ].join('\n');
    expect(containerIdFromMountInfo(mountInfo)).toBe(ID);
  });

  it('finds no container on a host, or in a mount that only mentions containers', () => {
    expect(containerIdFromMountInfo('25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw')).toBe(
      undefined,
    );
    expect(
      containerIdFromMountInfo(`40 25 8:1 /srv/containers/${ID}/data /data rw - ext4 /dev/sda1 rw`),
    ).toBe(undefined);
  });

  it('maps a path through the most specific mount, and refuses one on no mount', () => {
    const paths = hostPathsFrom(ID, [
      { Source: '/var/lib/docker/volumes/cronium-data/_data', Destination: '/data' },
      { Source: '/srv/runtime', Destination: '/data/runtime' },
      { Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock' },
    ]);
    expect(paths.toHost('/data/container-sdk')).toBe(
      '/var/lib/docker/volumes/cronium-data/_data/container-sdk',
    );
    expect(paths.toHost('/data/runtime/api.sock')).toBe('/srv/runtime/api.sock');
    expect(paths.toHost('/data')).toBe('/var/lib/docker/volumes/cronium-data/_data');
    expect(paths.toHost('/data/../etc')).toBe(undefined);
    expect(paths.toHost('/database')).toBe(undefined);
    expect(paths.toHost('/app/packages/sdk')).toBe(undefined);
  });

  it('maps every path to itself outside a container', () => {
    expect(hostPathsFrom(undefined, []).toHost('/app/packages/sdk')).toBe('/app/packages/sdk');
  });
});
