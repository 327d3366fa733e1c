package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNumberValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"0", int64(0)},
		{"-17", int64(-17)},
		{"9223372036854775807", int64(9223372036854775807)},
		{"9223372036854775808", 9223372036854775808.0},
		{"1e3", int64(1000)},
		{"2.0", int64(2)},
		{"2.5", 2.5},
		{"-0.001", -0.001},
		{"1e300", 1e300},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, numberValue(json.Number(tt.in)))
		})
	}
}
