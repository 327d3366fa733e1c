package lists

import (
	"math"
	"slices"
)

// geoIndex is a multi-level grid over latitude and longitude. Level L cuts
// the globe into cells of 180/2^L degrees (2^L rows, 2^(L+1) columns). An
// item is filed at the finest level where its circle's bounding box spans
// at most two rows and maxGeoCells cells in all, in every cell the box
// touches (wrapping at the antimeridian; a circle containing a pole takes
// the whole row). A lookup computes its cell at each level in use and checks
// only the items filed there, with the haversine distance.
type geoIndex struct {
	pts    []geoPoint // by item index
	cells  map[geoCell][]int32
	levels []uint8 // levels in use, ascending
}

// geoCell names one cell.
type geoCell struct {
	level uint8
	row   uint32
	col   uint32
}

const (
	maxGeoLevel = 20   // cells of about 19 m
	maxGeoCells = 16   // most cells one item is filed in
	geoMargin   = 1e-7 // degrees added around bounding boxes
)

// newGeoIndex returns an empty grid for n items.
func newGeoIndex(n int) *geoIndex {
	return &geoIndex{pts: make([]geoPoint, n), cells: map[geoCell][]int32{}}
}

// geoBox is a circle's bounding box in degrees; fullLng when it holds a pole
// (or spans every longitude).
type geoBox struct {
	latMin, latMax, lngMin, lngMax float64
	fullLng                        bool
}

// boundingBox returns the bounding coordinates of the circle around g.
func boundingBox(g geoPoint) geoBox {
	delta := g.radius / EarthRadiusMeters
	deg := delta * 180 / math.Pi
	b := geoBox{latMin: g.lat - deg - geoMargin, latMax: g.lat + deg + geoMargin}
	if b.latMin <= -90 || b.latMax >= 90 {
		b.fullLng = true
		return b
	}
	ratio := math.Min(1, math.Sin(delta)/math.Cos(g.lat*math.Pi/180))
	dl := math.Asin(ratio)*180/math.Pi + geoMargin
	b.lngMin, b.lngMax = g.lng-dl, g.lng+dl
	b.fullLng = 2*dl >= 360
	return b
}

// cellSize returns a level's cell size in degrees.
func cellSize(level int) float64 { return 180 / float64(uint64(1)<<level) }

// rowOf returns the row of latitude lat at a level, clamped.
func rowOf(lat float64, level int) int64 {
	n := int64(1) << level
	return min(max(int64(math.Floor((lat+90)/cellSize(level))), 0), n-1)
}

// colOf returns the unwrapped column of longitude lng at a level.
func colOf(lng float64, level int) int64 {
	return int64(math.Floor((lng + 180) / cellSize(level)))
}

// spans returns the row range and column count of b at a level.
func (b geoBox) spans(level int) (r0, r1, c0, ncols int64) {
	r0, r1 = rowOf(b.latMin, level), rowOf(b.latMax, level)
	cols := int64(2) << level
	if b.fullLng {
		return r0, r1, 0, cols
	}
	c0 = colOf(b.lngMin, level)
	return r0, r1, c0, min(colOf(b.lngMax, level)-c0+1, cols)
}

// levelFor picks the finest level where b spans at most two rows and
// maxGeoCells cells.
func levelFor(b geoBox) int {
	for level := maxGeoLevel; level > 0; level-- {
		if b.latMax-b.latMin > 2*cellSize(level) {
			continue
		}
		r0, r1, _, n := b.spans(level)
		if (r1-r0+1)*n <= maxGeoCells {
			return level
		}
	}
	return 0
}

// add files item i with center and radius g.
func (x *geoIndex) add(g geoPoint, i int32) {
	x.pts[i] = g
	b := boundingBox(g)
	level := levelFor(b)
	if _, found := slices.BinarySearch(x.levels, uint8(level)); !found {
		x.levels = append(x.levels, uint8(level))
		slices.Sort(x.levels)
	}
	r0, r1, c0, n := b.spans(level)
	cols := int64(2) << level
	for r := r0; r <= r1; r++ {
		for c := c0; c < c0+n; c++ {
			key := geoCell{uint8(level), uint32(r), uint32(((c % cols) + cols) % cols)}
			x.cells[key] = append(x.cells[key], i)
		}
	}
}

// match returns the item live has alive whose circle contains the point and
// whose center is nearest (the lowest index on a tie), or -1.
func (x *geoIndex) match(lat, lng float64, live *Index) int32 {
	best, bestD := int32(-1), math.Inf(1)
	for _, l := range x.levels {
		level := int(l)
		cols := int64(2) << level
		col := ((colOf(lng, level) % cols) + cols) % cols
		key := geoCell{l, uint32(rowOf(lat, level)), uint32(col)}
		for _, i := range x.cells[key] {
			g := x.pts[i]
			d := haversine(lat, lng, g.lat, g.lng)
			if d <= g.radius && (d < bestD || d == bestD && i < best) && live.alive(i) {
				best, bestD = i, d
			}
		}
	}
	return best
}
