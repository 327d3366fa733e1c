package ansi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPaint(t *testing.T) {
	assert.Equal(t, "\x1b[31mno\x1b[0m", Paint(true, Red, "no"))
	assert.Equal(t, "no", Paint(false, Red, "no"))
}
