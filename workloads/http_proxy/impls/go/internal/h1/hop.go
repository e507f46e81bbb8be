package h1

// hopByHop are the fields a proxy never forwards (RFC 9110 section 7.6.1), lower case.
var hopByHop = []string{"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
	"upgrade", "proxy-authenticate", "proxy-authorization"}

// IsHopByHop reports whether the field called name must not be forwarded: it is hop-by-hop by its name,
// or one of h's Connection fields lists it.
func (h *Head) IsHopByHop(name []byte) bool {
	for _, hop := range hopByHop {
		if EqualFold(name, hop) {
			return true
		}
	}
	listed := false
	for i := range h.Fields {
		if EqualFold(h.Fields[i].Name, "connection") {
			forEachListElement(h.Fields[i].Value, func(option []byte) {
				listed = listed || equalFoldBytes(option, name)
			})
		}
	}
	return listed
}

func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}
