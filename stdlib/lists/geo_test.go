package lists

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metersToLat converts a north-south distance to degrees.
func metersToLat(m float64) float64 { return m / EarthRadiusMeters * 180 / math.Pi }

func TestMatchGeoInsideOutside(t *testing.T) {
	x := buildIndex(t, KindGeolocation, values("40.7128,-74.0060,1000", "40.72,-74.0,100")...)
	runMatchCases(t, x, []matchCase{
		{map[string]any{"latitude": 40.7128, "longitude": -74.0060}, "40.7128,-74.006,1000"},
		{map[string]any{"latitude": 40.7128 + metersToLat(900), "longitude": -74.0060}, "40.7128,-74.006,1000"},
		{map[string]any{"latitude": 40.7128 + metersToLat(1100), "longitude": -74.0060}, ""},
		{"40.7128, -74.0060", "40.7128,-74.006,1000"},
		{map[string]string{"lat": "40.7128", "lng": "-74.006"}, "40.7128,-74.006,1000"},
		{map[string]any{"latitude": json.Number("40.7128"), "lon": -74}, "40.7128,-74.006,1000"},
		{map[string]any{"latitude": 41, "longitude": -74}, ""},
		{"40.72,-74.0", "40.72,-74,100"},
		{"north", ""},
		{"91,0", ""},
		{map[string]any{"latitude": "x", "longitude": 1.0}, ""},
		{map[string]any{"latitude": 1.0}, ""},
	})
}

func TestMatchGeoNearestCenterWins(t *testing.T) {
	x := buildIndex(t, KindGeolocation, values("0,0,50000", "0,0.1,50000")...)
	runMatchCases(t, x, []matchCase{
		{"0,0.02", "0,0,50000"},
		{"0,0.08", "0,0.1,50000"},
		{"0,0.6", ""},
	})
}

func TestMatchGeoCellBorders(t *testing.T) {
	// (0, 0) lies on a cell corner at every level; so do (45, 90) and 22.5.
	for _, center := range [][2]float64{{0, 0}, {45, 90}, {22.5, -22.5}, {-67.5, 135}} {
		for _, radius := range []float64{10, 500, 20000, 900000} {
			it, err := NewItem(KindGeolocation, formatFloat(center[0])+","+formatFloat(center[1])+","+formatFloat(radius), nil)
			require.NoError(t, err)
			x, err := NewIndex(KindGeolocation, []Item{it})
			require.NoError(t, err)
			for _, dir := range [][2]float64{{1, 1}, {1, -1}, {-1, 1}, {-1, -1}, {0, 1}, {1, 0}} {
				for _, frac := range []float64{0.001, 0.5, 0.95, 1.05} {
					d := metersToLat(radius*frac) / math.Sqrt(dir[0]*dir[0]+dir[1]*dir[1])
					lat := center[0] + dir[0]*d
					lng := center[1] + dir[1]*d/math.Cos(center[0]*math.Pi/180)
					want := haversine(lat, lng, center[0], center[1]) <= radius
					assert.Equal(t, want, x.Contains(map[string]any{"latitude": lat, "longitude": lng}),
						"center %v radius %v point %v,%v", center, radius, lat, lng)
				}
			}
		}
	}
}

func TestMatchGeoAntimeridianAndPoles(t *testing.T) {
	x := buildIndex(t, KindGeolocation, values("0,179.9999,100", "-16.5,-179.99,5000", "89.99999,0,5000", "-90,0,1000")...)
	runMatchCases(t, x, []matchCase{
		{"0,-179.9999", "0,179.9999,100"},
		{"0,180", "0,179.9999,100"},
		{"0,-179.998", ""},
		{"-16.5,179.98", "-16.5,-179.99,5000"},
		{"-16.5,179.9", ""},
		{"89.99,180", "89.99999,0,5000"},
		{"89.99,-90", "89.99999,0,5000"},
		{"89.9,0", ""},
		{"-89.995,123", "-90,0,1000"},
		{"-89.98,123", ""},
	})
}

// TestGeoGridAgreesWithScan compares the grid with a scan of every item,
// for items of many sizes, with probes clustered near items, the
// antimeridian and the poles.
func TestGeoGridAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var raws []raw
	for range 600 {
		lat, lng := randPoint(rng)
		radius := math.Pow(10, 1+rng.Float64()*5.5) // 10 m to about 3000 km
		raws = append(raws, raw{value: formatFloat(lat) + "," + formatFloat(lng) + "," + formatFloat(math.Round(radius))})
	}
	x := buildIndex(t, KindGeolocation, raws...)
	for range 4000 {
		lat, lng := randPoint(rng)
		if rng.IntN(2) == 0 {
			g := x.geo.pts[rng.IntN(len(x.geo.pts))]
			f := rng.Float64() * 1.2 * metersToLat(g.radius)
			lat = math.Max(-90, math.Min(90, g.lat+f*math.Cos(float64(rng.IntN(360)))))
			lng = normLng(g.lng + f*math.Sin(float64(rng.IntN(360)))/math.Max(0.01, math.Cos(g.lat*math.Pi/180)))
		}
		want := scanGeo(x.geo.pts, lat, lng)
		got := x.geo.match(lat, lng, x)
		require.Equal(t, want, got, "point %v,%v", lat, lng)
	}
}

// randPoint picks a point anywhere, or near the antimeridian or a pole.
func randPoint(rng *rand.Rand) (float64, float64) {
	lat, lng := rng.Float64()*180-90, rng.Float64()*360-180
	switch rng.IntN(4) {
	case 0:
		lng = 180 - rng.Float64()*0.5
		if rng.IntN(2) == 0 {
			lng = -lng
		}
	case 1:
		lat = 90 - rng.Float64()*2
		if rng.IntN(2) == 0 {
			lat = -lat
		}
	}
	return round(lat, 1e7), normLng(round(lng, 1e7))
}

// scanGeo is the reference: the nearest center among circles holding the
// point.
func scanGeo(pts []geoPoint, lat, lng float64) int32 {
	best, bestD := int32(-1), math.Inf(1)
	for i, g := range pts {
		if d := haversine(lat, lng, g.lat, g.lng); d <= g.radius && d < bestD {
			best, bestD = int32(i), d
		}
	}
	return best
}

func TestGeoItemsAreFiledInFewCells(t *testing.T) {
	x := buildIndex(t, KindGeolocation, values("0,0,10", "89.9999,10,100", "0,179.99999,1000", "10,10,20000000")...)
	count := map[int32]int{}
	for _, items := range x.geo.cells {
		for _, i := range items {
			count[i]++
		}
	}
	for i := range x.items {
		assert.LessOrEqual(t, count[int32(i)], maxGeoCells, x.items[i].Value)
		assert.Positive(t, count[int32(i)], x.items[i].Value)
	}
}
