package lists

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file parses geolocations and indexes them in a multi-level grid.

// Geolocation limits and constants.
const (
	// EarthRadiusMeters is the mean Earth radius used by the haversine
	// distance.
	EarthRadiusMeters = 6371008.8
	// MaxRadiusMeters caps an item's radius (about half the circumference).
	MaxRadiusMeters = 20_000_000
)

// geoPoint is a center in degrees and a radius in meters.
type geoPoint struct {
	lat, lng, radius float64
}

// canonicalGeo builds a geolocation item from "lat,lng,radius", from
// "lat,lng" plus data's radius_meters, or from data alone. Coordinates are
// rounded to 7 decimals (about 1 cm) and the radius to centimeters.
func canonicalGeo(raw string, data map[string]string) (string, error) {
	fields := [3]string{data[AttrLatitude], data[AttrLongitude], data[AttrRadiusMeters]}
	if raw != "" {
		parts := strings.Split(raw, ",")
		if len(parts) < 2 || len(parts) > 3 {
			return "", fmt.Errorf("invalid geolocation %q: want \"latitude,longitude,radius_meters\"", raw)
		}
		for i, p := range parts {
			if d := strings.TrimSpace(fields[i]); d != "" && !sameNumber(d, p) {
				return "", fmt.Errorf("geolocation %q conflicts with %s %q", raw, geoAttr(i), d)
			}
			fields[i] = p
		}
	}
	g, err := parseGeoFields(fields)
	if err != nil {
		return "", err
	}
	data[AttrLatitude] = formatFloat(g.lat)
	data[AttrLongitude] = formatFloat(g.lng)
	data[AttrRadiusMeters] = formatFloat(g.radius)
	return formatFloat(g.lat) + "," + formatFloat(g.lng) + "," + formatFloat(g.radius), nil
}

// sameNumber reports whether two numeric strings denote the same number
// (an unparsable pair compares as text).
func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return x == y
}

// geoAttr names field i of a geolocation.
func geoAttr(i int) string {
	return [...]string{AttrLatitude, AttrLongitude, AttrRadiusMeters}[i]
}

// parseGeoFields validates and rounds latitude, longitude and radius.
func parseGeoFields(f [3]string) (geoPoint, error) {
	var v [3]float64
	for i, s := range f {
		s = strings.TrimSpace(s)
		if s == "" {
			return geoPoint{}, fmt.Errorf("missing %s", geoAttr(i))
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return geoPoint{}, fmt.Errorf("invalid %s %q", geoAttr(i), s)
		}
		v[i] = x
	}
	g := geoPoint{lat: round(v[0], 1e7), lng: normLng(round(v[1], 1e7)), radius: round(v[2], 100)}
	switch {
	case !(v[0] >= -90 && v[0] <= 90):
		return geoPoint{}, fmt.Errorf("latitude %s out of range [-90, 90]", f[0])
	case !(v[1] >= -180 && v[1] <= 180):
		return geoPoint{}, fmt.Errorf("longitude %s out of range [-180, 180]", f[1])
	case !(g.radius > 0):
		return geoPoint{}, fmt.Errorf("radius_meters must be positive, got %s", f[2])
	case g.radius > MaxRadiusMeters:
		return geoPoint{}, fmt.Errorf("radius_meters %s exceeds %d", f[2], MaxRadiusMeters)
	}
	return g, nil
}

// round rounds x to a multiple of 1/scale.
func round(x, scale float64) float64 { return math.Round(x*scale) / scale }

// normLng maps a longitude into [-180, 180).
func normLng(x float64) float64 {
	if x >= 180 || x < -180 {
		x = math.Mod(x+180, 360)
		if x < 0 {
			x += 360
		}
		x -= 180
	}
	return x
}

// formatFloat formats x in its shortest decimal form.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// parseGeoLookup reads a lookup point: a "lat,lng" string or a map with
// latitude and longitude (or lat and lng/lon) as numbers or strings.
func parseGeoLookup(v any) (lat, lng float64, ok bool) {
	switch t := v.(type) {
	case string:
		a, b, found := strings.Cut(t, ",")
		if !found {
			return 0, 0, false
		}
		lat, ok1 := toFloat(strings.TrimSpace(a))
		lng, ok2 := toFloat(strings.TrimSpace(b))
		return checkPoint(lat, lng, ok1 && ok2)
	case map[string]any:
		lat, ok1 := toFloat(firstKey(t, "latitude", "lat"))
		lng, ok2 := toFloat(firstKey(t, "longitude", "lng", "lon"))
		return checkPoint(lat, lng, ok1 && ok2)
	case map[string]string:
		lat, ok1 := toFloat(firstKey(t, "latitude", "lat"))
		lng, ok2 := toFloat(firstKey(t, "longitude", "lng", "lon"))
		return checkPoint(lat, lng, ok1 && ok2)
	}
	return 0, 0, false
}

// firstKey returns the value of the first present key.
func firstKey[V any](m map[string]V, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

// checkPoint validates a lookup point's ranges.
func checkPoint(lat, lng float64, ok bool) (float64, float64, bool) {
	if !ok || !(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180) {
		return 0, 0, false
	}
	return lat, normLng(lng), true
}

// toFloat converts a number or numeric string.
func toFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case float32:
		return float64(t), true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	return 0, false
}

// haversine returns the great-circle distance in meters.
func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const rad = math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	dp, dl := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * EarthRadiusMeters * math.Asin(math.Sqrt(math.Min(1, h)))
}
