import { describe, expect, it } from 'vitest';
import { quadToQuad, squareToQuad } from '../../../src/scan/homography';

const close = (actual: number, expected: number) => expect(Math.abs(actual - expected) < 1e-6).toBe(true);

describe('homography', () => {
  it('maps the unit square onto a quadrilateral corner for corner', () => {
    const quad = [{ x: 10, y: 20 }, { x: 110, y: 30 }, { x: 120, y: 140 }, { x: 5, y: 120 }];
    const h = squareToQuad(quad[0], quad[1], quad[2], quad[3]);
    const unit = [[0, 0], [1, 0], [1, 1], [0, 1]];
    unit.forEach(([x, y], i) => {
      const p = h.map(x, y);
      close(p.x, quad[i].x);
      close(p.y, quad[i].y);
    });
  });

  it('maps four points onto four points, keeping straight lines straight', () => {
    const from = [{ x: 3.5, y: 3.5 }, { x: 53.5, y: 3.5 }, { x: 50.5, y: 50.5 }, { x: 3.5, y: 53.5 }];
    const to = [{ x: 40, y: 30 }, { x: 250, y: 45 }, { x: 230, y: 200 }, { x: 30, y: 215 }];
    const h = quadToQuad(from, to);
    from.forEach((p, i) => {
      const q = h.map(p.x, p.y);
      close(q.x, to[i].x);
      close(q.y, to[i].y);
    });
    // The midpoint of a mapped segment lies on the mapped line.
    const a = h.map(3.5, 3.5);
    const b = h.map(53.5, 3.5);
    const m = h.map(28.5, 3.5);
    close((b.x - a.x) * (m.y - a.y) - (b.y - a.y) * (m.x - a.x), 0);
  });

  it('inverts through the adjoint', () => {
    const h = squareToQuad({ x: 0, y: 0 }, { x: 100, y: 10 }, { x: 90, y: 120 }, { x: -5, y: 100 });
    const p = h.map(0.3, 0.7);
    const back = h.adjoint().map(p.x, p.y);
    close(back.x, 0.3);
    close(back.y, 0.7);
  });
});
