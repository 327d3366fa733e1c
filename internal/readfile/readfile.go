// Package readfile opens and reads the files a user names (scripts, events,
// fixtures, secrets, CSV imports) so that no file can hurt: only regular
// files are read, and never more than a limit. A device (/dev/zero), a FIFO
// or a directory is refused with a message before it is read from (a FIFO
// would block until a writer came), and a file larger than the limit is
// refused after reading at most one byte more than the limit.
package readfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrTooLarge is returned (wrapped) for a file over its limit.
var ErrTooLarge = errors.New("file is too large")

// ErrNotRegular is returned (wrapped) for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading when it is a regular file (following
// symbolic links). The caller reads it through its own limit.
func Open(path string) (*os.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, info); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	// The path may have been replaced between the two looks.
	if info, err = f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = regular(path, info)
		}
		return nil, err
	}
	return f, nil
}

// Read reads the regular file at path, of at most max bytes.
func Read(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w (over %s, the limit)", path, ErrTooLarge, Size(max))
	}
	return data, nil
}

// regular refuses what is not a regular file, saying what it is.
func regular(path string, info fs.FileInfo) error {
	m := info.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "a special file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s: %w: it is %s", path, ErrNotRegular, what)
}

// Size writes a byte count the way limits are documented: 16 MiB.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
