//go:build !linux

package files

import (
	"errors"
	"io"
	"os"
)

// The file routes need openat2; elsewhere they only have to compile.
var errUnsupported = errors.New("files: only supported on Linux")

type Tree struct{}

func Extract(string, string, io.Reader, ...Options) (Stats, error) { return Stats{}, errUnsupported }
func OpenTree(string, string) (*Tree, error)                       { return nil, errUnsupported }
func (*Tree) WriteTar(io.Writer, func() error) error               { return errUnsupported }
func (*Tree) Close()                                               {}
func List(string, string, bool) ([]Entry, error)                   { return nil, errUnsupported }
func OpenFile(string, string) (*os.File, error)                    { return nil, errUnsupported }
func Write(string, string, []byte, int64) error                    { return errUnsupported }
func Remove(string, string) error                                  { return errUnsupported }
