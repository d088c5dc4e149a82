import { describe, expect, it } from 'vitest';
import { labClusterShape } from '../../../server/lessons/cluster-shape.js';

describe('labClusterShape', () => {
  it('asks for a plain single-node cluster when the lab needs nothing special', () => {
    expect(labClusterShape({ cluster: { workers: 0, ingress: false }, images: [] })).toEqual({ workers: 0 });
  });

  it('labels the control plane ingress-ready for ingress and publishes no host ports for it (one ingress cluster per machine otherwise)', () => {
    expect(labClusterShape({ cluster: { workers: 2, ingress: true, portMappings: [{ containerPort: 30080, hostPort: 8080 }] }, images: ['nginx:1.27'] })).toEqual({
      workers: 2,
      portMappings: [
        { containerPort: 30080, hostPort: 8080 },
      ],
      controlPlaneLabels: { 'ingress-ready': 'true' },
      preloadImages: ['nginx:1.27'],
    });
  });
});
