//go:build !(js && wasm)

package broadcast

// Channel carries values of type T between tabs. Natively there are no
// tabs: Open fails, Publish does nothing and Subscribe receives nothing.
type Channel[T any] struct{}

// Open returns ErrNotBrowser.
func Open[T any](name string) (*Channel[T], error) { return nil, ErrNotBrowser }

// Publish does nothing.
func (c *Channel[T]) Publish(v T) {}

// PublishAs does nothing.
func PublishAs[T, U any](c *Channel[T], v U) {}

// Subscribe receives nothing; cancel does nothing.
func (c *Channel[T]) Subscribe(fn func(T)) (cancel func()) { return func() {} }

// Close does nothing.
func (c *Channel[T]) Close() {}
