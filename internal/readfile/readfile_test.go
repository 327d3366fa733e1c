package readfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Read(dir, 10)
	assert.ErrorIs(t, err, ErrNotRegular)
	assert.ErrorContains(t, err, "it is a directory")

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err = Read(fifo, 10) // would block in open(2) if it were opened
	assert.ErrorContains(t, err, "it is a named pipe (FIFO)")

	if _, serr := os.Stat("/dev/zero"); serr == nil {
		_, err = Read("/dev/zero", 10)
		assert.ErrorContains(t, err, "/dev/zero: not a regular file: it is a device")
	}
}

func TestReadStopsAtTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, make([]byte, 2048), 0o600))
	data, err := Read(path, 2048)
	require.NoError(t, err)
	assert.Len(t, data, 2048)
	_, err = Read(path, 2047)
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorContains(t, err, "over 2047 bytes, the limit")
	_, err = Read(path+".missing", 10)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
