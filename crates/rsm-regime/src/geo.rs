//! Geographic areas of notifications: polygons (lon/lat rings) and circles, validated.
//!
//! Coordinates are WGS 84 degrees, longitude first (as GeoJSON). A ring is treated as
//! planar in lon/lat; rings that cross the antimeridian are not supported (split them).

/// Largest number of points accepted in one ring (bounds the self-intersection check).
pub const MAX_RING_POINTS: usize = 2_000;
/// Largest radius accepted for a circle, in kilometres (half the Earth's circumference).
pub const MAX_RADIUS_KM: f64 = 20_037.5;

/// A validated point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

/// A validated area.
#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    /// A simple ring, stored closed (first point repeated at the end).
    Polygon {
        ring: Vec<LonLat>,
    },
    Circle {
        centre: LonLat,
        radius_km: f64,
    },
}

/// Why a set of coordinates is not a valid area.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    #[error("point {index}: longitude {lon} is outside -180..180")]
    Longitude { index: usize, lon: f64 },
    #[error("point {index}: latitude {lat} is outside -90..90")]
    Latitude { index: usize, lat: f64 },
    #[error("a polygon needs at least 3 distinct points, found {0}")]
    TooFewPoints(usize),
    #[error("a polygon may have at most {MAX_RING_POINTS} points, found {0}")]
    TooManyPoints(usize),
    #[error("edges {0} and {1} of the ring intersect: the polygon is not simple")]
    SelfIntersection(usize, usize),
    #[error("all points of the ring lie on one line: the polygon has no area")]
    Degenerate,
    #[error("radius {0} km must be above 0 and at most {MAX_RADIUS_KM}")]
    Radius(f64),
}

/// Checks one point.
pub fn point(index: usize, lon: f64, lat: f64) -> Result<LonLat, GeoError> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(GeoError::Longitude { index, lon });
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(GeoError::Latitude { index, lat });
    }
    Ok(LonLat { lon, lat })
}

/// Checks a circle.
pub fn circle(centre: LonLat, radius_km: f64) -> Result<Area, GeoError> {
    if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
        return Err(GeoError::Radius(radius_km));
    }
    Ok(Area::Circle { centre, radius_km })
}

/// Checks a ring of `[lon, lat]` points, closing it if it is open.
pub fn polygon(points: &[(f64, f64)]) -> Result<Area, GeoError> {
    if points.len() > MAX_RING_POINTS + 1 {
        return Err(GeoError::TooManyPoints(points.len()));
    }
    let mut ring = Vec::with_capacity(points.len() + 1);
    for (i, &(lon, lat)) in points.iter().enumerate() {
        ring.push(point(i, lon, lat)?);
    }
    if ring.len() >= 2 && ring.first() == ring.last() {
        ring.pop();
    }
    // Consecutive repeats are harmless; drop them before counting and checking edges.
    ring.dedup();
    if ring.len() >= 2 && ring.first() == ring.last() {
        ring.pop();
    }
    let mut distinct = ring.clone();
    distinct.sort_by(|a, b| a.lon.total_cmp(&b.lon).then(a.lat.total_cmp(&b.lat)));
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(GeoError::TooFewPoints(distinct.len()));
    }
    let n = ring.len();
    let (a, b) = (distinct[0], distinct[distinct.len() - 1]);
    if ring.iter().all(|&p| orient(a, b, p) == 0.0) {
        return Err(GeoError::Degenerate);
    }
    for i in 0..n {
        for j in (i + 1)..n {
            // Adjacent edges share a point; only their overlap counts as an intersection.
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            let (p1, p2) = (ring[i], ring[(i + 1) % n]);
            let (q1, q2) = (ring[j], ring[(j + 1) % n]);
            let hit = if adjacent {
                overlapping(p1, p2, q1, q2)
            } else {
                segments_intersect(p1, p2, q1, q2)
            };
            if hit {
                return Err(GeoError::SelfIntersection(i, j));
            }
        }
    }
    ring.push(ring[0]);
    Ok(Area::Polygon { ring })
}

fn orient(a: LonLat, b: LonLat, c: LonLat) -> f64 {
    (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon)
}

fn on_segment(a: LonLat, b: LonLat, p: LonLat) -> bool {
    p.lon >= a.lon.min(b.lon)
        && p.lon <= a.lon.max(b.lon)
        && p.lat >= a.lat.min(b.lat)
        && p.lat <= a.lat.max(b.lat)
}

fn segments_intersect(p1: LonLat, p2: LonLat, q1: LonLat, q2: LonLat) -> bool {
    let d1 = orient(q1, q2, p1);
    let d2 = orient(q1, q2, p2);
    let d3 = orient(p1, p2, q1);
    let d4 = orient(p1, p2, q2);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(q1, q2, p1))
        || (d2 == 0.0 && on_segment(q1, q2, p2))
        || (d3 == 0.0 && on_segment(p1, p2, q1))
        || (d4 == 0.0 && on_segment(p1, p2, q2))
}

/// Two adjacent edges (sharing one end) overlap if they are collinear and point back.
fn overlapping(p1: LonLat, p2: LonLat, q1: LonLat, q2: LonLat) -> bool {
    // Find the shared point and the two far ends.
    let (shared, a, b) = if p2 == q1 {
        (p2, p1, q2)
    } else if p1 == q2 {
        (p1, p2, q1)
    } else {
        return segments_intersect(p1, p2, q1, q2);
    };
    if orient(shared, a, b) != 0.0 {
        return false;
    }
    // Collinear: they overlap if both far ends lie on the same side of the shared point.
    let da = (a.lon - shared.lon, a.lat - shared.lat);
    let db = (b.lon - shared.lon, b.lat - shared.lat);
    da.0 * db.0 + da.1 * db.1 > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_is_closed_and_accepted_either_way() {
        let open = [(125.0, 37.0), (126.0, 37.0), (126.0, 38.0), (125.0, 38.0)];
        let a = polygon(&open).unwrap();
        let mut closed = open.to_vec();
        closed.push(open[0]);
        assert_eq!(polygon(&closed).unwrap(), a);
        let Area::Polygon { ring } = a else {
            panic!("polygon expected")
        };
        assert_eq!(ring.len(), 5);
        assert_eq!(ring[0], ring[4]);
    }

    #[test]
    fn bad_rings_are_refused_with_the_reason() {
        assert_eq!(
            polygon(&[(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)]),
            Err(GeoError::TooFewPoints(2))
        );
        assert_eq!(
            polygon(&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]),
            Err(GeoError::Degenerate)
        );
        // A bow tie: edges 0 and 2 cross.
        assert_eq!(
            polygon(&[(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0)]),
            Err(GeoError::SelfIntersection(0, 2))
        );
        assert_eq!(
            polygon(&[(181.0, 0.0), (1.0, 1.0), (1.0, 0.0)]),
            Err(GeoError::Longitude {
                index: 0,
                lon: 181.0
            })
        );
        assert_eq!(
            polygon(&[(0.0, 0.0), (1.0, -91.0), (1.0, 0.0)]),
            Err(GeoError::Latitude {
                index: 1,
                lat: -91.0
            })
        );
        // A spike that doubles back along its own edge.
        assert!(matches!(
            polygon(&[(0.0, 0.0), (2.0, 0.0), (1.0, 0.0), (1.0, 1.0)]),
            Err(GeoError::SelfIntersection(..))
        ));
        assert!(matches!(
            polygon(&vec![(0.0, 0.0); MAX_RING_POINTS + 2]),
            Err(GeoError::TooManyPoints(_))
        ));
    }

    #[test]
    fn circles_need_a_positive_bounded_radius() {
        let c = point(0, 127.0, 38.0).unwrap();
        assert!(circle(c, 50.0).is_ok());
        assert_eq!(circle(c, 0.0), Err(GeoError::Radius(0.0)));
        assert!(circle(c, f64::NAN).is_err());
        assert!(circle(c, 30_000.0).is_err());
    }
}
