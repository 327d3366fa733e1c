//go:build !unix

package lists

import (
	"os"
	"unsafe"
)

// mapFile reads a file into memory, 8-byte aligned (systems without mmap).
func mapFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, os.ErrInvalid
	}
	words := make([]uint64, (len(b)+7)/8)
	out := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(b))
	copy(out, b)
	return out, nil
}

// unmapFile has nothing to release.
func unmapFile([]byte) {}
