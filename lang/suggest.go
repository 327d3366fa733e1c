package lang

// Suggest returns the candidate nearest to name, or "" when none is close
// enough to be a likely typo. Closeness is the edit distance (insertions,
// deletions, substitutions and swaps of neighbours), allowed to grow with
// the name's length: none for names of one or two characters (any other
// short name would look "close"), 1 up to five, 2 up to eight, then 3.
func Suggest(name string, candidates []string) string {
	if len(name) <= 2 {
		return ""
	}
	limit := min((len(name)+3)/3, 3) + 1
	best := ""
	for _, c := range candidates {
		if c == name || c == "" {
			continue
		}
		if d := editDistance(name, c, limit); d < limit {
			best, limit = c, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b, or
// limit when it is at least limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit)
}
