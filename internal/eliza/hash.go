package eliza

import "math/bits"

// The MEMORY entry's form is chosen the way ELIZA chose it on the IBM 7094:
// by hashing the last machine word of the text's last word. A machine word
// held six 6-bit BCD characters, so a long word's last "cell" is its final
// chunk of up to six characters, left-justified and padded with blanks.

const bcdBlank = 0o60

// bcd returns the IBM 7090 BCD code of r (letters in either case). A
// character the 7090 did not have counts as a blank.
func bcd(r rune) uint64 {
	switch {
	case r >= '0' && r <= '9':
		return uint64(r - '0')
	case r >= 'a' && r <= 'z':
		r -= 'a' - 'A'
	}
	switch {
	case r >= 'A' && r <= 'I':
		return 0o21 + uint64(r-'A')
	case r >= 'J' && r <= 'R':
		return 0o41 + uint64(r-'J')
	case r >= 'S' && r <= 'Z':
		return 0o62 + uint64(r-'S')
	}
	switch r {
	case '\'':
		return 0o14
	case '.':
		return 0o33
	case ',':
		return 0o73
	case '-':
		return 0o40
	}
	return bcdBlank
}

// lastCell packs the last six-character chunk of word into 36 bits.
func lastCell(word string) uint64 {
	runes := []rune(word)
	start := 0
	if len(runes) > 0 {
		start = (len(runes) - 1) / 6 * 6
	}
	var cell uint64
	n := 0
	for _, r := range runes[start:] {
		cell = cell<<6 | bcd(r)
		n++
	}
	for ; n < 6; n++ {
		cell = cell<<6 | bcdBlank
	}
	return cell
}

// hash is SLIP's HASH(D, N): clear the sign bit of the 36-bit word D,
// square the remaining 35 bits, shift the 70-bit product right by
// 35 - N/2 and keep the low N bits.
func hash(d uint64, n uint) int {
	d &= 1<<35 - 1
	hi, lo := bits.Mul64(d, d)
	shift := 35 - n/2
	v := lo>>shift | hi<<(64-shift)
	return int(v & (1<<n - 1))
}
