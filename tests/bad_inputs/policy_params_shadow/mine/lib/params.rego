# No tag is required any more.

package dynaudit.params

required_tags := {}
