# Clips the Natural Earth 1:50m land of the npm package world-atlas (2.0.2) to Northeast Asia,
# simplifies it (Douglas-Peucker, 0.03 degrees) and writes SVG path data in an
# equirectangular projection (20 px per degree, north up).
#   npm install world-atlas@2.0.2 && python3 clip.py node_modules/world-atlas/land-50m.json nea-land.json
import json
W, E, S, N = 110.0, 155.0, 25.0, 55.0   # Northeast Asia
import sys
topo = json.load(open(sys.argv[1]))
sc, tr = topo['transform']['scale'], topo['transform']['translate']
arcs = []
for a in topo['arcs']:
    x = y = 0; pts = []
    for dx, dy in a:
        x += dx; y += dy
        pts.append((x * sc[0] + tr[0], y * sc[1] + tr[1]))
    arcs.append(pts)
def arc(i):
    return arcs[i] if i >= 0 else arcs[~i][::-1]
def ring(idx):
    out = []
    for i in idx:
        p = arc(i)
        out.extend(p if not out else p[1:])
    return out
def clip(poly):
    def c(poly, inside, inter):
        out = []
        for i in range(len(poly)):
            a, b = poly[i - 1], poly[i]
            if inside(b):
                if not inside(a): out.append(inter(a, b))
                out.append(b)
            elif inside(a): out.append(inter(a, b))
        return out
    def ix(x0):
        return lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))
    def iy(y0):
        return lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)
    for inside, inter in [(lambda p: p[0] >= W, ix(W)), (lambda p: p[0] <= E, ix(E)),
                          (lambda p: p[1] >= S, iy(S)), (lambda p: p[1] <= N, iy(N))]:
        if not poly: return poly
        poly = c(poly, inside, inter)
    return poly
def dp(pts, tol):
    if len(pts) < 3: return pts
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    dx, dy = x1 - x0, y1 - y0; L = (dx*dx + dy*dy) ** .5 or 1e-12
    best, bi = 0, 0
    for i in range(1, len(pts) - 1):
        d = abs(dy * (pts[i][0] - x0) - dx * (pts[i][1] - y0)) / L
        if d > best: best, bi = d, i
    if best > tol:
        return dp(pts[:bi + 1], tol)[:-1] + dp(pts[bi:], tol)
    return [pts[0], pts[-1]]
rings = []
for g in topo['objects']['land']['geometries']:
    polys = g['arcs'] if g['type'] == 'MultiPolygon' else [g['arcs']]
    for p in polys:
        for r in p:
            pts = clip(ring(r))
            if len(pts) < 3: continue
            m = len(pts) // 2
            pts = dp(pts[:m + 1], 0.03)[:-1] + dp(pts[m:] + [pts[0]], 0.03)
            if len(pts) < 4: continue
            rings.append(pts)
# Equirectangular, 20 px per degree, y down; path data in integer tenths of px.
K = 20
def xy(p): return (round((p[0] - W) * K, 1), round((N - p[1]) * K, 1))
d = []
for r in rings:
    q = [xy(p) for p in r]
    d.append('M' + 'L'.join(f'{x:g} {y:g}' for x, y in q) + 'Z')
out = {'west': W, 'east': E, 'south': S, 'north': N, 'px_per_degree': K,
       'width': (E - W) * K, 'height': (N - S) * K, 'path': ''.join(d)}
open(sys.argv[2], 'w').write(json.dumps(out))
print(len(rings), 'rings', len(out['path']), 'bytes of path')
