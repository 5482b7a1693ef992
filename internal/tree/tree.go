// Package tree copies directory trees: the site's web/ into a build, and
// the test and benchmark builds' private copies of it.
package tree

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Copy copies the tree at src to dst, creating directories as needed.
// keep, when not nil, is asked about every file and directory below src
// by its slash-separated path relative to src ("data/a.json"); what it
// refuses is left out, a refused directory with everything in it.
func Copy(src, dst string, keep func(rel string) bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel != "." && keep != nil && !keep(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			return fmt.Errorf("copying %s: %w", p, err)
		}
		return nil
	})
}
